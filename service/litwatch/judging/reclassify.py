"""Keep classifications in step with the knowledge base and the rules: a change re-classifies
what it touches.

Each knowledge base the store was classified with is kept as a snapshot, with the version of
the rules (``judging.rules.RULES_VERSION``). When the current knowledge base differs from the
last, ``changed_findings`` says which findings moved: articles on topic (core or related, the
only ones judged against findings) are classified again, and every article when the topic
itself changed, since that moves relevance too. When the rules changed, every article judged
by other rules is classified again (each classification records its rules' version, so an
interrupted run picks up where it stopped).

Only one process should do this at a time: ``litwatch.jobs.kb_sync`` holds the lock.
"""

from __future__ import annotations

import logging
from collections.abc import Callable
from datetime import datetime, timedelta

from sqlmodel import Session

from litwatch.judging.classify_stored import classify_pmids
from litwatch.judging.knowledge import KnowledgeBase, changed_findings
from litwatch.judging.knowledge_file import parse_knowledge_base
from litwatch.judging.rules import RULES_VERSION
from litwatch.store.classifications import (
    list_live_pmids,
    list_on_topic_pmids,
    list_pmids_judged_by_other_rules,
)
from litwatch.store.kb_snapshots import get_latest_snapshot, save_snapshot
from litwatch.store.tables import KnowledgeBaseSnapshot

log = logging.getLogger(__name__)


def affected_pmids(session: Session, topic_changed: bool) -> list[str]:
    """Articles a knowledge-base change may judge differently."""
    return list_live_pmids(session) if topic_changed else list_on_topic_pmids(session)


def reclassify_for_knowledge_base(
    session: Session,
    kb: KnowledgeBase,
    kb_text: str,
    *,
    now: datetime,
    progress: Callable[[int], None] | None = None,
) -> tuple[set[str], int]:
    """Re-classify what a change to ``kb`` (whose file holds ``kb_text``) or to the rules
    affects since the last snapshot, and snapshot it; (changed finding ids, articles). The
    caller commits."""
    latest = get_latest_snapshot(session)
    if latest is None:
        _snapshot(session, kb, kb_text, None, now)
        return set(), 0
    if latest.version == kb.version and latest.rules_version == RULES_VERSION:
        return set(), 0
    changed: set[str] = set()
    pmids: set[str] = set()
    if latest.version != kb.version:
        old = parse_knowledge_base(latest.content, source="the stored knowledge base")
        changed = changed_findings(old, kb)
        pmids.update(affected_pmids(session, old.topic != kb.topic))
        log.info(
            "knowledge base changed (%s -> %s): findings %s",
            latest.version,
            kb.version,
            ", ".join(sorted(changed)) or "none",
        )
    if latest.rules_version != RULES_VERSION:
        # New rules may judge anything differently: every article other rules judged.
        pmids.update(list_pmids_judged_by_other_rules(session, RULES_VERSION))
        log.info("rules changed (%r -> %r)", latest.rules_version, RULES_VERSION)
    log.info("re-classifying %d article(s)", len(pmids))
    count = classify_pmids(session, sorted(pmids), kb=kb, now=now, progress=progress)
    _snapshot(session, kb, kb_text, latest, now)
    return changed, count


def _snapshot(
    session: Session,
    kb: KnowledgeBase,
    kb_text: str,
    latest: KnowledgeBaseSnapshot | None,
    now: datetime,
) -> None:
    # The newest snapshot is the current one: stamps must increase even within a tick.
    stamp = now
    if latest is not None and latest.created_at is not None:
        stamp = max(stamp, latest.created_at + timedelta(microseconds=1))
    save_snapshot(session, kb.version, kb_text, created_at=stamp, rules_version=RULES_VERSION)
