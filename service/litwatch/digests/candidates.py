"""The plain side of a digest: a candidate article, who it is for, and how items rank.

Pure data over ``litwatch.records``; ``selection`` and ``summary`` decide with it.
"""

from __future__ import annotations

from dataclasses import dataclass, field

from litwatch.records import ArticleRecord, Classification, FindingJudgement
from litwatch.store.notices import Linked

RELEVANCE_LEVELS = ("core", "related")
# Ranks stances when an article reports on several findings: a contradiction is news first.
STANCE_RANK = {"contradicts": 3, "addresses": 2, "supports": 1, "inconclusive": 0}


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


def rank(item: Candidate) -> tuple[bool, float, str]:
    # Highest priority first; ties broken by PMID so a digest always reads the same.
    return (bool(item.notice_kind), item.classification.priority, item.pmid)


def strength(judgement: FindingJudgement) -> tuple[int, float]:
    return (STANCE_RANK.get(judgement.stance, -1), judgement.confidence)


def is_article(item: Candidate) -> bool:
    """A report of its own: neither a notice nor the correction of an article sent before."""
    return not (item.notice_kind or item.article.is_notice)


def primary_judgement(item: Candidate, wanted: set[str]) -> FindingJudgement | None:
    """The strongest judgement of a finding the subscriber follows (any, if none)."""
    judgements = sorted(item.classification.findings, key=strength, reverse=True)
    mine = [j for j in judgements if not wanted or j.finding_id in wanted] or judgements
    return mine[0] if mine else None
