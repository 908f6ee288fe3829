"""A retraction notice or erratum judged through the article it notices.

A notice reports no study: it takes its relevance from the article it notices (when that one
is stored), has no design of its own, no stance on any finding and none of a study's flags
(it is never a new multicentre RCT), and says which article it is about. Pure functions.
"""

from __future__ import annotations

from collections.abc import Mapping
from dataclasses import replace

from litwatch.records import ArticleRecord, Classification

RELEVANCE_ORDER = {"core": 2, "related": 1, "off": 0}
NOTICE_FLAGS = ("retraction-notice", "erratum")


def notice_kind(record: ArticleRecord) -> str:
    """'retraction' for a retraction notice, 'erratum' for a published erratum, else ''."""
    if record.is_retraction_notice:
        return "retraction"
    return "erratum" if record.is_notice else ""


def judge_notice(
    c: Classification, record: ArticleRecord, targets: Mapping[str, Classification]
) -> Classification:
    """The classification ``c`` of notice ``record``, made a notice's: relevance from the
    stored article it notices (``targets``, by PMID), no stance, no study flags."""
    kind = notice_kind(record)
    noticed = list(record.noticed_pmids)
    known = [targets[p] for p in noticed if p in targets]
    label = "Retraction notice" if kind == "retraction" else "Erratum"
    of = ", ".join(f"PMID {p}" for p in noticed) or "an article not named"
    if known:
        best = max(known, key=lambda t: (RELEVANCE_ORDER.get(t.relevance, 0), t.relevance_score))
        relevance, score, rank = best.relevance, best.relevance_score, best.priority
        why = f"notice: relevance {relevance} from PMID {best.pmid}, the article it notices"
    else:
        relevance, score, rank = c.relevance, c.relevance_score, c.priority
        why = "notice: the article it notices is not stored, so relevance is from its own text"
    if kind == "retraction":
        rank = min(1.0, rank + 0.2)  # a retraction must not be missed
    flags = ["retraction-notice" if kind == "retraction" else "erratum"]
    flags += [f for f in c.flags if f == "retracted"]
    flags += [f"notice-of:{p}" for p in noticed]
    return replace(
        c,
        relevance=relevance,
        relevance_score=score,
        design="other",
        findings=[],
        numbers={},
        flags=flags,
        priority=round(rank, 4),
        explanation=f"[{label.upper()}] {label} of {of}: not a study, no stance ({relevance})",
        reasons=[*c.reasons, why],
    )
