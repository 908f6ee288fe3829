"""Keep classifications in step with the knowledge base: a change re-classifies what it touches.

Each knowledge base the store was classified with is kept as a snapshot. When the current one
differs from the last, ``changed_findings`` says which findings moved: articles on topic
(core or related, the only ones judged against findings) are classified again, and every
article when the topic itself changed, since that moves relevance too.
"""

from __future__ import annotations

import logging
from collections.abc import Callable
from datetime import timedelta

from sqlmodel import Session, col, select

from litwatch.context import Context
from litwatch.jobs.locks import job_lock
from litwatch.judging.classify_stored import classify_pmids
from litwatch.judging.knowledge import DEFAULT_PATH, changed_findings, parse_knowledge_base
from litwatch.store.tables import Article, ClassificationRow, KnowledgeBaseSnapshot

log = logging.getLogger(__name__)


def _latest(session: Session) -> KnowledgeBaseSnapshot | None:
    return session.exec(
        select(KnowledgeBaseSnapshot).order_by(col(KnowledgeBaseSnapshot.created_at).desc())
    ).first()


def affected_pmids(session: Session, topic_changed: bool) -> list[str]:
    """Articles a knowledge-base change may judge differently."""
    if topic_changed:
        return list(session.exec(select(Article.pmid).where(col(Article.deleted).is_(False))))
    return list(
        session.exec(
            select(ClassificationRow.pmid).where(col(ClassificationRow.relevance) != "off")
        )
    )


def sync_knowledge_base(
    ctx: Context, *, progress: Callable[[int], None] | None = None
) -> tuple[set[str], int]:
    """Re-classify what a knowledge-base change affects; (changed finding ids, articles)."""
    kb = ctx.knowledge_base
    content = (ctx.settings.findings or DEFAULT_PATH).read_text(encoding="utf-8")
    with job_lock(ctx.engine, "kb-sync") as acquired, Session(ctx.engine) as session:
        if not acquired:
            return set(), 0
        latest = _latest(session)
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
            count = classify_pmids(ctx, session, pmids, progress=progress)
        # The newest snapshot is the current one: stamps must increase even within a tick.
        stamp = ctx.now()
        if latest is not None and latest.created_at is not None:
            stamp = max(stamp, latest.created_at + timedelta(microseconds=1))
        snap = session.get(KnowledgeBaseSnapshot, kb.version)
        if snap is None:
            session.add(
                KnowledgeBaseSnapshot(version=kb.version, content=content, created_at=stamp)
            )
        else:  # back to an earlier knowledge base: it is the latest again
            snap.created_at = stamp
        session.commit()
        return changed, count
