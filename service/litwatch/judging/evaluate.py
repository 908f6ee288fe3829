"""Measure the classifier against a gold set (``judging.gold``): scores and every error.

``evaluate`` classifies each gold record and compares: relevance, design, the stance on each
finding, the numbers a record labels (n, the mRSS and FVC changes) and how often a judgement
at a given confidence is right. With ``details`` it also returns each record's result and
each disagreement with the sentence that decided it, for `litwatch eval --errors`.
"""

from __future__ import annotations

from collections.abc import Sequence
from typing import Any

from litwatch.judging.gold import NUMBER_LABELS, RELEVANCE, GoldRecord
from litwatch.judging.knowledge import KnowledgeBase
from litwatch.judging.learned import LearnedModel
from litwatch.judging.rules import classify_article
from litwatch.records import Classification

# Confidence bins of the reliability table: [low, high).
CONFIDENCE_BINS = ((0.0, 0.5), (0.5, 0.65), (0.65, 0.8), (0.8, 0.9), (0.9, 1.01))
# A change is right when it is within this of the labelled one (n must be exact).
CHANGE_TOLERANCE = 0.1


def _prf(tp: int, fp: int, fn: int) -> dict[str, float]:
    precision = tp / (tp + fp) if tp + fp else 1.0
    recall = tp / (tp + fn) if tp + fn else 1.0
    f1 = 2 * precision * recall / (precision + recall) if precision + recall else 0.0
    return {"precision": round(precision, 4), "recall": round(recall, 4), "f1": round(f1, 4)}


def _reason(c: Classification, prefix: str) -> str:
    return next((r.split(": ", 1)[-1] for r in c.reasons if r.startswith(prefix)), "")


def record_result(record: GoldRecord, got: Classification) -> dict[str, Any]:
    """One record's labels beside the classifier's, each with what decided it."""
    judged = {j.finding_id: j for j in got.findings}
    findings = {}
    for fid in sorted(set(record.findings) | set(judged)):
        j = judged.get(fid)
        findings[fid] = {
            "expected": record.findings.get(fid),
            "got": j.stance if j else None,
            "confidence": round(j.confidence, 3) if j else None,
            "sentence": j.evidence[0].sentence if j and j.evidence else "",
            "reason": j.reason if j else "",
        }
    return {
        "id": record.id,
        "relevance": {
            "expected": record.relevance,
            "got": got.relevance,
            "reason": _reason(got, "relevance "),
        },
        "design": {"expected": record.design, "got": got.design, "reason": _reason(got, "design ")},
        "findings": findings,
        "numbers": {
            key: {"expected": record.numbers[key], "got": got.numbers.get(key)}
            for key in NUMBER_LABELS
            if key in record.numbers
        },
        "explanation": got.explanation,
    }


def number_right(key: str, expected: float, got: Any) -> bool:
    if not isinstance(got, int | float) or isinstance(got, bool):
        return False
    if key == "n":
        return int(got) == int(expected)
    return abs(float(got) - expected) <= CHANGE_TOLERANCE + 1e-9


def disagreements(result: dict[str, Any]) -> list[dict[str, Any]]:
    """Every field of one record result where the classifier and the label differ."""
    out = []
    for name in ("relevance", "design"):
        r = result[name]
        if r["expected"] is not None and r["expected"] != r["got"]:
            out.append({"id": result["id"], "field": name, "expected": r["expected"],
                        "got": r["got"], "sentence": r["reason"]})  # fmt: skip
    for fid, f in result["findings"].items():
        if f["expected"] != f["got"]:
            out.append({"id": result["id"], "field": fid, "expected": f["expected"],
                        "got": f["got"], "sentence": f["sentence"] or f["reason"]})  # fmt: skip
    for key, n in result["numbers"].items():
        if not number_right(key, n["expected"], n["got"]):
            out.append({"id": result["id"], "field": key, "expected": n["expected"],
                        "got": n["got"], "sentence": result["explanation"]})  # fmt: skip
    return out


def reliability(results: Sequence[dict[str, Any]]) -> list[dict[str, Any]]:
    """How often a stance the classifier gave is the labelled one, by confidence."""
    rows = [
        {"low": lo, "high": min(hi, 1.0), "judgements": 0, "right": 0} for lo, hi in CONFIDENCE_BINS
    ]
    for result in results:
        for f in result["findings"].values():
            if f["got"] is None:
                continue
            row = next(r for r, (lo, hi) in zip(rows, CONFIDENCE_BINS, strict=True)
                       if lo <= f["confidence"] < hi)  # fmt: skip
            row["judgements"] += 1
            row["right"] += f["got"] == f["expected"]
    for row in rows:
        row["accuracy"] = round(row["right"] / row["judgements"], 4) if row["judgements"] else None
    return rows


def evaluate(
    records: Sequence[GoldRecord],
    kb: KnowledgeBase,
    *,
    learned: LearnedModel | None = None,
    details: bool = False,
) -> dict[str, Any]:
    """Scores of the classifier on gold records, as the JSON shape `litwatch eval` prints.

    With ``details`` the result also carries "records" (one result each) and "errors".
    """
    results = [
        record_result(r, classify_article(r.to_article(), kb, learned=learned)) for r in records
    ]
    scores = score(results, [f.id for f in kb.findings])
    if details:
        scores["records"] = results
        scores["errors"] = [e for r in results for e in disagreements(r)]
    return scores


def score(results: Sequence[dict[str, Any]], finding_ids: Sequence[str]) -> dict[str, Any]:
    """Precision, recall, accuracy and confusion tables over record results."""
    rel_confusion = {g: dict.fromkeys(RELEVANCE, 0) for g in RELEVANCE}
    design_confusion: dict[str, dict[str, int]] = {}
    counts = {"core": [0, 0, 0], "any": [0, 0, 0]}  # tp, fp, fn
    for r in results:
        gold, got = r["relevance"]["expected"], r["relevance"]["got"]
        rel_confusion[gold][got] += 1
        for key, positive in (("core", ("core",)), ("any", ("core", "related"))):
            c = counts[key]
            c[0] += gold in positive and got in positive
            c[1] += got in positive and gold not in positive
            c[2] += gold in positive and got not in positive
        d = r["design"]
        if d["expected"] is not None:
            row = design_confusion.setdefault(d["expected"], {})
            row[d["got"]] = row.get(d["got"], 0) + 1
    designs = [r["design"] for r in results if r["design"]["expected"] is not None]
    return {
        "n": len(results),
        "relevance_core": _prf(*counts["core"]),
        "relevance_any": _prf(*counts["any"]),
        "design_accuracy": (
            round(sum(d["expected"] == d["got"] for d in designs) / len(designs), 4)
            if designs
            else None
        ),
        "findings": {fid: _finding_scores(results, fid) for fid in finding_ids},
        "numbers": _number_scores(results),
        "reliability": reliability(results),
        "confusion": {"relevance": rel_confusion, "design": design_confusion},
    }


def _finding_scores(results: Sequence[dict[str, Any]], fid: str) -> dict[str, Any]:
    tp = fp = fn = agree = 0
    for r in results:
        f = r["findings"].get(fid)
        gold, got = (f["expected"], f["got"]) if f else (None, None)
        tp += bool(gold and got)
        fp += bool(got and not gold)
        fn += bool(gold and not got)
        agree += bool(gold and got and gold == got)
    n = sum(1 for r in results if (r["findings"].get(fid) or {}).get("expected"))
    return {**_prf(tp, fp, fn), "stance_accuracy": round(agree / tp, 4) if tp else None, "n": n}


def _number_scores(results: Sequence[dict[str, Any]]) -> dict[str, Any]:
    out = {}
    for key in NUMBER_LABELS:
        labelled = [r["numbers"][key] for r in results if key in r["numbers"]]
        right = sum(number_right(key, v["expected"], v["got"]) for v in labelled)
        out[key] = {
            "labelled": len(labelled),
            "right": right,
            "accuracy": round(right / len(labelled), 4) if labelled else None,
        }
    return out
