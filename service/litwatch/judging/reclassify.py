"""Keep classifications in step with the knowledge base: a change re-classifies what it touches.

Each knowledge base the store was classified with is kept as a snapshot. When the current one
differs from the last, ``changed_findings`` says which findings moved: articles on topic
(core or related, the only ones judged against findings) are classified again, and every
article when the topic itself changed, since that moves relevance too.

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
from litwatch.store.classifications import list_live_pmids, list_on_topic_pmids
from litwatch.store.kb_snapshots import get_latest_snapshot, save_snapshot

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
    """Re-classify what a change to ``kb`` (whose file holds ``kb_text``) affects since the
    last snapshot, and snapshot it; (changed finding ids, articles). The caller commits."""
    latest = get_latest_snapshot(session)
    if latest is not None and latest.version == kb.version:
        return set(), 0
    changed: set[str] = set()
    count = 0
    if latest is not None:
        old = parse_knowledge_base(latest.content, source="the stored knowledge base")
        changed = changed_findings(old, kb)
        pmids = affected_pmids(session, old.topic != kb.topic)
        log.info(
            "knowledge base changed (%s -> %s): findings %s; re-classifying %d article(s)",
            latest.version,
            kb.version,
            ", ".join(sorted(changed)) or "none",
            len(pmids),
        )
        count = classify_pmids(session, pmids, kb=kb, now=now, progress=progress)
    # The newest snapshot is the current one: stamps must increase even within a tick.
    stamp = now
    if latest is not None and latest.created_at is not None:
        stamp = max(stamp, latest.created_at + timedelta(microseconds=1))
    save_snapshot(session, kb.version, kb_text, created_at=stamp)
    return changed, count
