"""A digest's summary counts, the notices folded into what they notice, and the limit of a
first digest: pure functions over the chosen candidates.
"""

from __future__ import annotations

from collections.abc import Mapping
from typing import Any

from litwatch.digests.candidates import Candidate, is_article, primary_judgement, rank


def notices_folded(selected: list[Candidate]) -> dict[str, str]:
    """Notice PMID -> the PMID of the article it notices, for the pairs both chosen."""
    chosen = {i.pmid for i in selected}
    folded = {}
    for item in selected:
        if item.notice_kind or not item.article.is_notice:
            continue
        targets = sorted(p for p in item.article.noticed_pmids if p in chosen and p != item.pmid)
        if targets:
            folded[item.pmid] = targets[0]
    return folded


def most_important(
    selected: list[Candidate], folded: Mapping[str, str], limit: int
) -> tuple[list[Candidate], list[Candidate]]:
    """(kept, held): the first ``limit`` of ``selected`` (ranked) that are shown on their own,
    with the notices folded into those; everything else held."""
    kept: list[Candidate] = []
    shown = 0
    for item in selected:
        if item.pmid in folded:
            continue
        if shown < limit:
            kept.append(item)
            shown += 1
    kept_pmids = {i.pmid for i in kept}
    kept += [i for i in selected if folded.get(i.pmid) in kept_pmids]
    kept.sort(key=rank, reverse=True)
    kept_pmids = {i.pmid for i in kept}
    return kept, [i for i in selected if i.pmid not in kept_pmids]


def summarise(selected: list[Candidate], held: list[Candidate]) -> dict[str, Any]:
    """The counts and call-outs of a digest's summary. Notices are counted as notices, never as
    new articles, and nothing not counted as evidence is a contradiction or a new RCT."""
    articles = [i for i in selected if is_article(i)]
    held_by_finding: dict[str, int] = {}
    for item in held:
        primary = primary_judgement(item, set())
        key = primary.finding_id if primary else ""
        held_by_finding[key] = held_by_finding.get(key, 0) + 1
    summary: dict[str, Any] = {
        "new": len(articles),
        "core": sum(1 for i in articles if i.classification.relevance == "core"),
        "related": sum(1 for i in articles if i.classification.relevance == "related"),
        "notice_count": len(selected) - len(articles),
        "contradictions": [i for i in articles if i.contradicted],
        "to_review": [i for i in articles if i.may_contradict],
        "retracted": [i for i in articles if i.article.retracted],
        "multicentre_rcts": [i for i in articles if i.is_multicentre_rct],
        "notices": [i for i in selected if i.notice_kind],
        "held": len(held),
        "held_articles": sum(1 for i in held if is_article(i)),
        "held_by_finding": held_by_finding,
    }
    summary["first_of_all"] = first_of_all(summary)
    return summary


def first_of_all(
    summary: Mapping[str, Any],
) -> list[tuple[Candidate, list[tuple[str, str, str]]]]:
    """Each article the summary calls out, once, with every reason to read it first:
    (item, [(kind, what, detail)]), kinds: notice, contradicts, review, retracted, rct."""
    out: dict[str, tuple[Candidate, list[tuple[str, str, str]]]] = {}

    def add(item: Candidate, kind: str, what: str, detail: str = "") -> None:
        out.setdefault(item.pmid, (item, []))[1].append((kind, what, detail))

    for item in summary["notices"]:
        add(item, "notice", "Retracted" if item.notice_kind == "retraction" else "Erratum")
    for item in summary["contradictions"]:
        add(item, "contradicts", "Contradicts", ", ".join(item.contradicted))
    for item in summary["to_review"]:
        add(item, "review", "May contradict", f"{', '.join(item.may_contradict)} (needs review)")
    for item in summary["retracted"]:
        add(item, "retracted", "Retracted", "not counted")
    for item in summary["multicentre_rcts"]:
        add(item, "rct", "New multicentre RCT")
    return list(out.values())
