"""Flags, a ranking priority and a one-line explanation a clinician can read."""

from __future__ import annotations

import math
from collections.abc import Mapping
from datetime import date
from typing import Any

from litwatch.records import ArticleRecord, FindingJudgement

DESIGN_WEIGHT = {
    "meta-analysis": 1.0,
    "rct": 0.95,
    "non-randomised-trial": 0.75,
    "systematic-review": 0.85,
    "cohort": 0.65,
    "trial-protocol": 0.5,
    "case-series": 0.45,
    "review": 0.4,
    "case-report": 0.3,
    "guideline": 0.6,
    "other": 0.25,
}
DESIGN_LABEL = {
    "meta-analysis": "Meta-analysis",
    "rct": "RCT",
    "non-randomised-trial": "Non-randomised trial",
    "systematic-review": "Systematic review",
    "cohort": "Cohort",
    "trial-protocol": "Trial protocol",
    "case-series": "Case series",
    "review": "Review",
    "case-report": "Case report",
    "guideline": "Guideline",
    "other": "Article",
}
_RELEVANCE_WEIGHT = {"core": 1.0, "related": 0.5, "off": 0.05}


def article_flags(
    article: ArticleRecord,
    judgements: list[FindingJudgement],
    design: str,
    open_questions: set[str],
    same_trial: list[str],
) -> list[str]:
    """retracted, erratum, retraction-notice, multicentre-rct, contradicts-finding, same-trial."""
    flags = []
    if article.retracted:
        flags.append("retracted")
    if "Published Erratum" in article.publication_types or any(
        c.ref_type == "ErratumIn" for c in article.comments_corrections
    ):
        flags.append("erratum")
    if article.is_retraction_notice:
        flags.append("retraction-notice")
    if design == "rct" and any(
        j.finding_id in open_questions and j.stance == "addresses" for j in judgements
    ):
        flags.append("multicentre-rct")
    if any(j.stance == "contradicts" for j in judgements):
        flags.append("contradicts-finding")
    flags.extend(f"same-trial:{pmid}" for pmid in same_trial)
    return flags


def article_date(article: ArticleRecord) -> date | None:
    """The earliest date we know the article by."""
    dates = [d for d in (article.electronic_date, article.pub_date, article.entrez_date) if d]
    return min(dates) if dates else None


def priority(
    relevance: str,
    relevance_score: float,
    design: str,
    numbers: Mapping[str, Any],
    judgements: list[FindingJudgement],
    flags: list[str],
    published: date | None,
    today: date | None,
) -> float:
    """Rank in [0, 1]: relevance, design strength, size, recency; contradictions and
    answered open questions lift it, and so do retractions, which must not be missed."""
    n = numbers.get("n") or 0
    size = min(1.0, math.log10(n + 1) / 3) if n else 0.2
    if published and today:
        age = max(0, (today - published).days)
        recency = math.exp(-age / 730)
    else:
        recency = 0.5
    base = _RELEVANCE_WEIGHT[relevance] * (0.5 + 0.5 * relevance_score)
    value = base * (0.45 * DESIGN_WEIGHT[design] + 0.2 * size + 0.15 * recency + 0.2)
    if any(j.stance == "contradicts" for j in judgements):
        value += 0.15
    if any(j.stance == "addresses" for j in judgements):
        value += 0.15
    if "retracted" in flags or "retraction-notice" in flags:
        value += 0.2
    return round(min(1.0, value), 4)


def explanation(
    design: str,
    numbers: Mapping[str, Any],
    judgements: list[FindingJudgement],
    relevance: str,
    relevance_reason: str,
    measure_names: Mapping[str, tuple[str, str]],
    flags: list[str],
) -> str:
    """One line: 'RCT, n=56: mRSS fell 6.3 more than placebo (p<0.001) at 24 weeks -> supports X'.

    A change is shown with the p-value the abstract gives for it, where it gives one.
    """
    head = DESIGN_LABEL[design]
    if numbers.get("n"):
        head += f", n={numbers['n']}"
    notes = [f for f in flags if f in ("retracted", "retraction-notice")]
    prefix = f"[{', '.join(notes).upper()}] " if notes else ""
    if not judgements:
        return f"{prefix}{head}: {relevance} - {relevance_reason}"
    # Lead with a contradiction, then with a result the abstract puts a number on.
    order = {"contradicts": 0, "supports": 1, "addresses": 2, "inconclusive": 3}

    def has_number(j: FindingJudgement) -> bool:
        key = measure_names.get(j.finding_id, ("", ""))[0]
        return bool(key) and numbers.get(f"{key}_change") is not None

    main = sorted(judgements, key=lambda j: (order[j.stance], not has_number(j), -j.confidence))[0]
    what = _what(main, numbers, measure_names)
    verdicts = [_verdict(main)] + [_verdict(j) for j in judgements if j is not main][:2]
    return f"{prefix}{head}: {what} -> {'; '.join(verdicts)}"


def _verdict(j: FindingJudgement) -> str:
    # An unsure judgement reads as a question for a person, never as a plain label.
    if j.needs_review:
        return f"needs review (leans {j.stance}) {j.finding_id}"
    return f"{j.stance} {j.finding_id}"


def _what(
    main: FindingJudgement, numbers: Mapping[str, Any], names: Mapping[str, tuple[str, str]]
) -> str:
    key, label = names.get(main.finding_id, ("", ""))
    change = numbers.get(f"{key}_change") if key else None
    if change is not None:
        verb = "fell" if change < 0 else "rose"
        text = f"{label} {verb} {abs(change):g}"
        if numbers.get(f"{key}_vs") == "placebo":
            text += " more than placebo"
        if numbers.get(f"{key}_change_p"):
            text += f" ({numbers[f'{key}_change_p']})"
        if numbers.get("follow_up"):
            text += f" at {numbers['follow_up']}"
        return text
    if main.evidence:
        sentence = main.evidence[0].sentence
        return sentence if len(sentence) <= 110 else sentence[:107].rstrip() + "..."
    return main.reason
