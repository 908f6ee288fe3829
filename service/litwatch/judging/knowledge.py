"""The knowledge base: known findings, the topic they are about, and how to recognise both.

These are the plain data the rules read; ``litwatch.judging.knowledge_file`` reads them from
a TOML file and checks it. ``version`` is a short hash of the canonical content, so a
classification records which knowledge base it was made with, and ``changed_findings`` traces
a change to the findings it touches.
"""

from __future__ import annotations

import hashlib
import json
from dataclasses import asdict, dataclass, field

KINDS = ("effect", "open-question")
DIRECTIONS = ("decrease", "increase", "association", "persist", "addressed")
DESIGNS = (
    "rct",
    "non-randomised-trial",
    "meta-analysis",
    "systematic-review",
    "cohort",
    "case-series",
    "case-report",
    "review",
    "trial-protocol",
    "guideline",
    "other",
)


@dataclass(frozen=True)
class Source:
    citation: str
    pmid: str = ""
    doi: str = ""


@dataclass(frozen=True)
class Outcome:
    name: str
    terms: tuple[str, ...]
    measures: tuple[str, ...] = ()
    short: str = ""  # how the explanation names the measure, e.g. "mRSS"


@dataclass(frozen=True)
class Finding:
    id: str
    statement: str
    kind: str  # effect | open-question
    sources: tuple[Source, ...]
    outcome: Outcome
    supports_direction: str  # decrease | increase | association | persist | addressed
    context: tuple[str, ...] = ()  # association: the other side of the link
    min_months: int = 0  # persist: a follow-up this long counts as long-term
    designs: tuple[str, ...] = ()  # addressed: designs that can address the question
    all_of: tuple[tuple[str, ...], ...] = ()  # addressed: every group must match


@dataclass(frozen=True)
class Topic:
    """What the findings are about: the intervention, the condition, and their neighbours."""

    intervention: tuple[str, ...] = ()
    condition: tuple[str, ...] = ()
    condition_exclude: tuple[str, ...] = ()
    comparators: tuple[str, ...] = ()
    mixed_population: tuple[str, ...] = ()


@dataclass(frozen=True)
class KnowledgeBase:
    findings: tuple[Finding, ...]
    version: str
    topic: Topic = field(default_factory=Topic)
    name: str = ""

    def get(self, finding_id: str) -> Finding | None:
        """The finding with this id, or None."""
        for finding in self.findings:
            if finding.id == finding_id:
                return finding
        return None


def changed_findings(old: KnowledgeBase, new: KnowledgeBase) -> set[str]:
    """Ids of findings added, removed or changed between two knowledge bases.

    A topic change (intervention or condition terms) touches every finding, since relevance
    decides whether any finding is judged at all.
    """
    if old.topic != new.topic:
        return {f.id for f in old.findings} | {f.id for f in new.findings}
    before = {f.id: f for f in old.findings}
    after = {f.id: f for f in new.findings}
    changed = set(before) ^ set(after)
    changed.update(i for i in set(before) & set(after) if before[i] != after[i])
    return changed


def content_version(findings: tuple[Finding, ...], topic: Topic) -> str:
    """A short hash of the findings and topic: equal for equal content, whatever the file's
    layout or comments."""
    canonical = json.dumps(
        {"topic": asdict(topic), "findings": [asdict(f) for f in findings]},
        sort_keys=True,
        ensure_ascii=False,
    )
    return hashlib.sha256(canonical.encode("utf-8")).hexdigest()[:12]
