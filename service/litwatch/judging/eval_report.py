"""`litwatch eval` as text: the scores, the confusion tables, the reliability table, errors."""

from __future__ import annotations

from typing import Any

from litwatch.judging.gold import RELEVANCE


def format_report(result: dict[str, Any]) -> str:
    """The evaluation as text: relevance, design, per-finding scores, numbers, tables."""
    lines = [f"gold records: {result['n']}", ""]
    for key, name in (("relevance_core", "relevance = core"), ("relevance_any", "core+related")):
        r = result[key]
        lines.append(
            f"{name:<18} precision {r['precision']:.3f}  recall {r['recall']:.3f}  F1 {r['f1']:.3f}"
        )
    design = result["design_accuracy"]
    lines.append(f"design accuracy    {design:.3f}" if design is not None else "design: no labels")
    lines += ["", f"{'finding':<26} {'n':>4} {'prec':>6} {'recall':>6} {'F1':>6} {'stance':>7}"]
    for fid, f in result["findings"].items():
        stance = f"{f['stance_accuracy']:.3f}" if f["stance_accuracy"] is not None else "-"
        lines.append(
            f"{fid:<26} {f['n']:>4} {f['precision']:>6.3f} {f['recall']:>6.3f} "
            f"{f['f1']:>6.3f} {stance:>7}"
        )
    lines += _numbers(result["numbers"]) + _reliability(result["reliability"])
    lines += _confusion(result["confusion"])
    return "\n".join(lines)


def _numbers(numbers: dict[str, Any]) -> list[str]:
    rows = [(k, v) for k, v in numbers.items() if v["labelled"]]
    if not rows:
        return []
    lines = ["", "numbers (n exact; changes within 0.1)"]
    for key, v in rows:
        lines.append(
            f"  {key:<12} right {v['right']:>3} of {v['labelled']:>3}  ({v['accuracy']:.3f})"
        )
    return lines


def _reliability(rows: list[dict[str, Any]]) -> list[str]:
    lines = ["", "reliability: how often a stance given at this confidence is the labelled one"]
    for row in rows:
        acc = f"{row['accuracy']:.3f}" if row["accuracy"] is not None else "-"
        lines.append(
            f"  confidence {row['low']:.2f}-{row['high']:.2f}  "
            f"{row['right']:>3} of {row['judgements']:>3} right  ({acc})"
        )
    return lines


def _confusion(confusion: dict[str, Any]) -> list[str]:
    lines = ["", "relevance confusion (rows gold, columns predicted)"]
    lines.append(" " * 10 + "".join(f"{c:>9}" for c in RELEVANCE))
    for gold, row in confusion["relevance"].items():
        lines.append(f"{gold:<10}" + "".join(f"{row.get(c, 0):>9}" for c in RELEVANCE))
    designs = sorted(
        set(confusion["design"]) | {d for r in confusion["design"].values() for d in r}
    )
    if designs:
        lines += ["", "design confusion (rows gold, columns predicted)"]
        lines.append(" " * 21 + "".join(f"{d[:8]:>9}" for d in designs))
        for gold in designs:
            row = confusion["design"].get(gold, {})
            lines.append(f"{gold:<21}" + "".join(f"{row.get(c, 0):>9}" for c in designs))
    return lines


def format_errors(errors: list[dict[str, Any]]) -> str:
    """One block per disagreement: id, field, expected, got, and the sentence that decided."""
    if not errors:
        return "no disagreements"
    lines = [f"{len(errors)} disagreement(s)"]
    for e in errors:
        lines.append(f"{e['id']}  {e['field']}: expected {e['expected']}, got {e['got']}")
        if e["sentence"]:
            lines.append(f"    {e['sentence']}")
    return "\n".join(lines)
