"""Choosing and grouping a digest: which candidates one subscriber gets, in which sections.

Pure functions over plain data: no database, no templates. ``select_items`` decides what a
recipient gets, ``build_digest`` ranks it, groups it by finding and counts it for the summary.
A notice (retraction, erratum) of an article in the same digest is folded into that article's
entry, so the reader sees "retracted" in place, never the article as evidence and the notice
apart. A first digest may be limited to its most important articles; the rest are "held"
and only counted, for a link to the web.
"""

from __future__ import annotations

from collections.abc import Mapping, Sequence
from dataclasses import dataclass, field
from datetime import datetime
from typing import Any

from litwatch.digests.candidates import (
    RELEVANCE_LEVELS,
    Candidate,
    Recipient,
    primary_judgement,
    rank,
    strength,
)
from litwatch.digests.summary import most_important, notices_folded, summarise
from litwatch.records import ArticleRecord, Classification, FindingJudgement


@dataclass
class DigestEntry:
    """An item as shown in one section: the finding it is filed under and the others."""

    item: Candidate
    judgement: FindingJudgement | None = None
    also: list[FindingJudgement] = field(default_factory=list)
    notices: list[Candidate] = field(default_factory=list)  # notices of it in this digest

    @property
    def article(self) -> ArticleRecord:
        return self.item.article

    @property
    def classification(self) -> Classification:
        return self.item.classification

    @property
    def authors(self) -> str:
        """'Kuzumi A, Yoshizaki A, Ebata S, et al.'"""
        names = [a.display for a in self.article.authors if a.display]
        return ", ".join(names[:3]) + (", et al." if len(names) > 3 else "")


@dataclass
class Section:
    kind: str  # notices | marked | finding | other-core | related
    title: str
    finding_id: str = ""
    statement: str = ""
    items: list[DigestEntry] = field(default_factory=list)


@dataclass
class DigestContent:
    """What one digest holds, grouped and ranked: the input of the templates."""

    subscriber: Recipient
    items: list[Candidate]
    period_start: datetime
    period_end: datetime
    summary: dict[str, Any]
    sections: list[Section]
    kb_statements: Mapping[str, str] = field(default_factory=dict)
    held: list[Candidate] = field(default_factory=list)  # left out of a limited first digest


def select_items(subscriber: Recipient, candidates: list[Candidate]) -> list[Candidate]:
    """The candidates this subscriber should get, each PMID once.

    Off-topic articles never; related ones only with min_relevance 'related'; with findings
    chosen, only articles judged on one of them. Contradictions pass the relevance and
    finding filters, and a retraction or erratum of an article sent before always passes.
    An article sent before that is not such a notice is dropped.
    """
    if subscriber.min_relevance not in RELEVANCE_LEVELS:
        raise ValueError(f"min_relevance must be one of {RELEVANCE_LEVELS}")
    wanted_searches = set(subscriber.searches)
    wanted_findings = set(subscriber.findings)
    chosen: dict[str, Candidate] = {}
    for item in candidates:
        relevance = item.classification.relevance
        if item.notice_kind:
            keep = True
        elif item.previously_sent or relevance not in RELEVANCE_LEVELS:
            keep = False
        elif wanted_searches and item.searches and not wanted_searches & set(item.searches):
            keep = False
        elif item.contradicted or item.may_contradict:
            keep = True
        else:
            keep = (relevance == "core" or subscriber.min_relevance == "related") and (
                not wanted_findings
                or any(j.finding_id in wanted_findings for j in item.classification.findings)
            )
        if keep:
            seen = chosen.get(item.pmid)
            if seen is None or rank(item) > rank(seen):
                chosen[item.pmid] = item
    return list(chosen.values())


def build_digest(
    subscriber: Recipient,
    items: list[Candidate],
    *,
    period_start: datetime,
    period_end: datetime,
    kb_statements: Mapping[str, str],
    limit: int | None = None,
    held: Sequence[Candidate] = (),
) -> DigestContent | None:
    """Group and rank what this subscriber gets; None when there is nothing to send.

    With ``limit``, only the ``limit`` most important articles are shown (their notices with
    them); the others are returned as ``held``, after the ``held`` given (a recorded digest's)."""
    selected = sorted(select_items(subscriber, items), key=rank, reverse=True)
    if not selected and not subscriber.send_empty:
        return None
    folded = notices_folded(selected)
    left_out = list(held)
    if limit is not None:
        selected, more = most_important(selected, folded, limit)
        left_out += more
    sections = _sections(subscriber, selected, folded, kb_statements)
    return DigestContent(
        subscriber,
        selected,
        period_start,
        period_end,
        summarise(selected, left_out),
        sections,
        dict(kb_statements),
        left_out,
    )


def _sections(
    subscriber: Recipient,
    selected: list[Candidate],
    folded: Mapping[str, str],
    kb_statements: Mapping[str, str],
) -> list[Section]:
    wanted = set(subscriber.findings)
    notices = Section("notices", "Retractions and errata of articles you received")
    marked = Section("marked", "Retracted articles and notices (not counted as evidence)")
    by_finding: dict[str, Section] = {}
    other = Section("other-core", "Other core articles")
    related = Section("related", "Related articles")
    entries: dict[str, DigestEntry] = {}
    for item in selected:
        if item.pmid in folded:
            continue
        # File it under the strongest finding the subscriber follows; mention the rest.
        primary = primary_judgement(item, wanted)
        also = [j for j in item.classification.findings if j is not primary]
        entry = DigestEntry(item, primary, sorted(also, key=strength, reverse=True))
        entries[item.pmid] = entry
        if item.notice_kind:
            notices.items.append(entry)
        elif not item.counts_as_evidence:
            marked.items.append(entry)
        elif item.classification.relevance == "related" and not item.contradicted:
            related.items.append(entry)
        elif primary is None:
            other.items.append(entry)
        else:
            fid = primary.finding_id
            if fid not in by_finding:
                by_finding[fid] = Section(
                    "finding", kb_statements.get(fid, fid), fid, kb_statements.get(fid, "")
                )
            by_finding[fid].items.append(entry)
    for item in selected:
        if item.pmid in folded:
            entries[folded[item.pmid]].notices.append(item)
    kb_order = {fid: i for i, fid in enumerate(kb_statements)}
    findings = sorted(
        by_finding.values(), key=lambda s: (kb_order.get(s.finding_id, len(kb_order)), s.finding_id)
    )
    return [s for s in (notices, marked, *findings, other, related) if s.items]
