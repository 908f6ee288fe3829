"""Choosing and grouping a digest: which candidates one subscriber gets, in which sections.

Pure functions over plain data: no database, no templates. ``select_items`` decides what a
recipient gets, ``build_digest`` ranks it, groups it by finding and counts it for the summary.
"""

from __future__ import annotations

from collections.abc import Mapping
from dataclasses import dataclass, field
from datetime import datetime
from typing import Any

from litwatch.records import ArticleRecord, Classification, FindingJudgement
from litwatch.store.notices import Linked

RELEVANCE_LEVELS = ("core", "related")
# Ranks stances when an article reports on several findings: a contradiction is news first.
STANCE_RANK = {"contradicts": 3, "addresses": 2, "supports": 1, "inconclusive": 0}
CORRECTION_FLAGS = {"retracted", "retraction-notice", "erratum"}


@dataclass
class Candidate:
    """One candidate article for one subscriber, with what the classifier said about it."""

    article: ArticleRecord
    classification: Classification
    searches: list[str] = field(default_factory=list)
    # True: the subscriber got this article (or the one this notice is about) before.
    previously_sent: bool = False
    notice_of: list[Linked] = field(default_factory=list)  # what this notice is about
    follow_up_of: list[Linked] = field(default_factory=list)  # earlier reports of its trial

    @property
    def pmid(self) -> str:
        return self.article.pmid

    @property
    def counts_as_evidence(self) -> bool:
        """Neither retracted nor a notice: its stances may count for or against a finding."""
        return not (self.article.retracted or self.article.is_notice)

    @property
    def contradicted(self) -> list[str]:
        """Ids of the known findings this article contradicts, confidently."""
        return [j.finding_id for j in self._contradicting() if not j.needs_review]

    @property
    def may_contradict(self) -> list[str]:
        """Ids of the findings it contradicts by a judgement that needs review."""
        return [j.finding_id for j in self._contradicting() if j.needs_review]

    def _contradicting(self) -> list[FindingJudgement]:
        if not self.counts_as_evidence:
            return []
        return [j for j in self.classification.findings if j.stance == "contradicts"]

    @property
    def is_multicentre_rct(self) -> bool:
        """A new multicentre RCT: not a notice, not retracted, not a follow-up of one known."""
        return (
            "multicentre-rct" in self.classification.flags
            and self.counts_as_evidence
            and not self.follow_up_of
        )

    @property
    def notice_kind(self) -> str:
        """'retraction' or 'erratum' when this is a correction of a sent article, else ''."""
        if not self.previously_sent:
            return ""
        flags = set(self.classification.flags)
        if flags & {"retracted", "retraction-notice"} or (
            self.article.retracted or self.article.is_retraction_notice
        ):
            return "retraction"
        if "erratum" in flags or any(
            c.ref_type in ("ErratumIn", "ErratumFor") for c in self.article.comments_corrections
        ):
            return "erratum"
        return ""


@dataclass
class Recipient:
    """Who a digest is for and what they asked for (the plain side of a subscriber row)."""

    email: str
    name: str = ""
    searches: list[str] = field(default_factory=list)
    frequency: str = "daily"  # daily | weekly
    min_relevance: str = "core"  # core | related
    findings: list[str] = field(default_factory=list)  # empty: every finding
    send_empty: bool = False


@dataclass
class DigestEntry:
    """An item as shown in one section: the finding it is filed under and the others."""

    item: Candidate
    judgement: FindingJudgement | None = None
    also: list[FindingJudgement] = field(default_factory=list)

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
            if seen is None or _rank(item) > _rank(seen):
                chosen[item.pmid] = item
    return list(chosen.values())


def _rank(item: Candidate) -> tuple[bool, float, str]:
    # Highest priority first; ties broken by PMID so a digest always reads the same.
    return (bool(item.notice_kind), item.classification.priority, item.pmid)


def _strength(judgement: FindingJudgement) -> tuple[int, float]:
    return (STANCE_RANK.get(judgement.stance, -1), judgement.confidence)


def build_digest(
    subscriber: Recipient,
    items: list[Candidate],
    *,
    period_start: datetime,
    period_end: datetime,
    kb_statements: Mapping[str, str],
) -> DigestContent | None:
    """Group and rank what this subscriber gets; None when there is nothing to send."""
    selected = sorted(select_items(subscriber, items), key=_rank, reverse=True)
    if not selected and not subscriber.send_empty:
        return None
    wanted = set(subscriber.findings)
    notices = Section("notices", "Retractions and errata of articles you received")
    marked = Section("marked", "Retracted articles and notices (not counted as evidence)")
    by_finding: dict[str, Section] = {}
    other = Section("other-core", "Other core articles")
    related = Section("related", "Related articles")
    for item in selected:
        judgements = sorted(item.classification.findings, key=_strength, reverse=True)
        # File it under the strongest finding the subscriber follows; mention the rest.
        mine = [j for j in judgements if not wanted or j.finding_id in wanted] or judgements
        primary = mine[0] if mine else None
        entry = DigestEntry(item, primary, [j for j in judgements if j is not primary])
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
    kb_order = {fid: i for i, fid in enumerate(kb_statements)}
    findings = sorted(
        by_finding.values(), key=lambda s: (kb_order.get(s.finding_id, len(kb_order)), s.finding_id)
    )
    sections = [s for s in (notices, marked, *findings, other, related) if s.items]
    summary = {
        "new": len(selected),
        "core": sum(1 for i in selected if i.classification.relevance == "core"),
        "related": sum(1 for i in selected if i.classification.relevance == "related"),
        "contradictions": [i for i in selected if i.contradicted and not i.notice_kind],
        "to_review": [i for i in selected if i.may_contradict and not i.notice_kind],
        "retracted": [i for i in selected if i.article.retracted and not i.notice_kind],
        "multicentre_rcts": [i for i in selected if i.is_multicentre_rct and not i.notice_kind],
        "notices": [i for i in selected if i.notice_kind],
    }
    return DigestContent(
        subscriber, selected, period_start, period_end, summary, sections, dict(kb_statements)
    )
