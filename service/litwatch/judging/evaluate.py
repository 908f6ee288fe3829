"""Measure the classifier against a gold set: one labelled article per JSON line.

A gold line: {"id", "title", "abstract", "publication_types"?, "mesh"?, "relevance",
"design"?, "findings"? {"<finding id>": {"stance": ...}}}. A finding absent from "findings"
means the article does not report on it.
"""

from __future__ import annotations

import json
from collections.abc import Sequence
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

from litwatch.errors import LitwatchError
from litwatch.judging.knowledge import DESIGNS, KnowledgeBase
from litwatch.judging.learned import LearnedModel
from litwatch.judging.rules import classify_article
from litwatch.pubmed.plain_text import article_from_text
from litwatch.records import ArticleRecord

RELEVANCE = ("core", "related", "off")
STANCES = ("supports", "contradicts", "inconclusive", "addresses")


class GoldError(LitwatchError):
    """A gold file line is malformed; the message names the line."""

    exit_code = 2


@dataclass(slots=True)
class GoldRecord:
    id: str
    title: str
    abstract: str
    relevance: str
    publication_types: list[str] = field(default_factory=list)
    mesh: list[str] = field(default_factory=list)
    design: str | None = None
    findings: dict[str, str] = field(default_factory=dict)  # finding id -> stance

    def to_article(self) -> ArticleRecord:
        """The gold record as an article record: one unlabelled abstract section."""
        return article_from_text(
            self.id,
            self.title,
            self.abstract,
            publication_types=self.publication_types,
            mesh=self.mesh,
        )


def load_gold(path: Path) -> list[GoldRecord]:
    """Read and validate a gold file; an error names the file and line."""
    records: list[GoldRecord] = []
    seen: set[str] = set()
    with Path(path).open(encoding="utf-8") as fh:
        for number, line in enumerate(fh, start=1):
            if not line.strip():
                continue
            try:
                record = parse_gold_line(line)
            except (ValueError, TypeError, KeyError) as exc:
                raise GoldError(f"{path}: line {number}: {exc}") from exc
            if record.id in seen:
                raise GoldError(f"{path}: line {number}: duplicate id {record.id!r}")
            seen.add(record.id)
            records.append(record)
    return records


def parse_gold_line(line: str) -> GoldRecord:
    """One gold line to a record; raises ValueError saying what is wrong."""
    data = json.loads(line)
    if not isinstance(data, dict):
        raise ValueError("not a JSON object")
    for key in ("id", "title", "abstract", "relevance"):
        if not isinstance(data.get(key), str):
            raise ValueError(f"'{key}' must be a string")
    if data["relevance"] not in RELEVANCE:
        raise ValueError(f"'relevance' must be one of {', '.join(RELEVANCE)}")
    design = data.get("design")
    if design is not None and design not in DESIGNS:
        raise ValueError(f"'design' {design!r} is not one of {', '.join(DESIGNS)}")
    lists = {}
    for key in ("publication_types", "mesh"):
        value = data.get(key, [])
        if not isinstance(value, list) or not all(isinstance(v, str) for v in value):
            raise ValueError(f"'{key}' must be a list of strings")
        lists[key] = value
    findings: dict[str, str] = {}
    raw = data.get("findings", {}) or {}
    if not isinstance(raw, dict):
        raise ValueError("'findings' must be an object")
    for fid, judgement in raw.items():
        stance = judgement.get("stance") if isinstance(judgement, dict) else None
        if stance not in STANCES:
            raise ValueError(f"finding {fid!r}: 'stance' must be one of {', '.join(STANCES)}")
        findings[fid] = stance
    return GoldRecord(
        id=data["id"],
        title=data["title"],
        abstract=data["abstract"],
        relevance=data["relevance"],
        design=design,
        findings=findings,
        **lists,
    )


def _prf(tp: int, fp: int, fn: int) -> dict[str, float]:
    precision = tp / (tp + fp) if tp + fp else 1.0
    recall = tp / (tp + fn) if tp + fn else 1.0
    f1 = 2 * precision * recall / (precision + recall) if precision + recall else 0.0
    return {"precision": round(precision, 4), "recall": round(recall, 4), "f1": round(f1, 4)}


def evaluate(
    records: Sequence[GoldRecord],
    kb: KnowledgeBase,
    *,
    learned: LearnedModel | None = None,
    details: bool = False,
) -> dict[str, Any]:
    """Scores of the classifier on gold records, as the JSON shape `litwatch eval` prints.

    With ``details`` the result also lists every disagreement under "errors".
    """
    rel_confusion = {g: dict.fromkeys(RELEVANCE, 0) for g in RELEVANCE}
    design_confusion: dict[str, dict[str, int]] = {}
    counts = {"core": [0, 0, 0], "any": [0, 0, 0]}  # tp, fp, fn
    design_right = design_total = 0
    per: dict[str, dict[str, int]] = {
        f.id: {"tp": 0, "fp": 0, "fn": 0, "agree": 0, "both": 0, "n": 0} for f in kb.findings
    }
    errors: list[dict[str, Any]] = []
    for record in records:
        got = classify_article(record.to_article(), kb, learned=learned)
        rel_confusion[record.relevance][got.relevance] += 1
        for key, positive in (("core", ("core",)), ("any", ("core", "related"))):
            gold_pos, got_pos = record.relevance in positive, got.relevance in positive
            c = counts[key]
            c[0] += gold_pos and got_pos
            c[1] += got_pos and not gold_pos
            c[2] += gold_pos and not got_pos
        if record.design is not None:
            design_total += 1
            design_right += got.design == record.design
            row = design_confusion.setdefault(record.design, {})
            row[got.design] = row.get(got.design, 0) + 1
        predicted = {j.finding_id: j.stance for j in got.findings}
        _count_findings(per, record, predicted, errors)
        if got.relevance != record.relevance or (record.design and got.design != record.design):
            errors.append({"id": record.id, "relevance": [record.relevance, got.relevance],
                           "design": [record.design, got.design]})  # fmt: skip
    findings = {}
    for fid, s in per.items():
        findings[fid] = {
            **_prf(s["tp"], s["fp"], s["fn"]),
            "stance_accuracy": round(s["agree"] / s["both"], 4) if s["both"] else None,
            "n": s["n"],
        }
    return {
        "n": len(records),
        "relevance_core": _prf(*counts["core"]),
        "relevance_any": _prf(*counts["any"]),
        "design_accuracy": round(design_right / design_total, 4) if design_total else None,
        "findings": findings,
        "confusion": {"relevance": rel_confusion, "design": design_confusion},
        **({"errors": errors} if details else {}),
    }


def _count_findings(
    per: dict[str, dict[str, int]],
    record: GoldRecord,
    predicted: dict[str, str],
    errors: list[dict[str, Any]],
) -> None:
    """Add one record's finding stances, gold against predicted, to the per-finding counts."""
    for fid, stats in per.items():
        gold_stance, got_stance = record.findings.get(fid), predicted.get(fid)
        stats["n"] += gold_stance is not None
        if gold_stance and got_stance:
            stats["tp"] += 1
            stats["both"] += 1
            stats["agree"] += gold_stance == got_stance
        elif got_stance:
            stats["fp"] += 1
        elif gold_stance:
            stats["fn"] += 1
        if gold_stance != got_stance:
            errors.append({"id": record.id, "finding": fid, "gold": gold_stance,
                           "got": got_stance})  # fmt: skip


def format_report(result: dict[str, Any]) -> str:
    """The evaluation as text: relevance, design, per-finding scores, confusion matrices."""
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
    lines += ["", "relevance confusion (rows gold, columns predicted)"]
    lines.append(" " * 10 + "".join(f"{c:>9}" for c in RELEVANCE))
    for gold, row in result["confusion"]["relevance"].items():
        lines.append(f"{gold:<10}" + "".join(f"{row.get(c, 0):>9}" for c in RELEVANCE))
    designs = sorted(
        set(result["confusion"]["design"])
        | {d for row in result["confusion"]["design"].values() for d in row}
    )
    if designs:
        short = {d: d[:8] for d in designs}
        lines += ["", "design confusion (rows gold, columns predicted)"]
        lines.append(" " * 18 + "".join(f"{short[c]:>9}" for c in designs))
        for gold in designs:
            row = result["confusion"]["design"].get(gold, {})
            lines.append(f"{gold:<18}" + "".join(f"{row.get(c, 0):>9}" for c in designs))
    return "\n".join(lines)
