"""Bring stored classifications in step with the knowledge base, one process at a time.

A poll does this before it stores anything new, and so does `litwatch classify`; the
``kb-sync`` lock keeps two of them from re-classifying the same articles at once (the one that
does not get the lock does nothing: the other is doing the work).
"""

from __future__ import annotations

from collections.abc import Callable

from sqlmodel import Session

from litwatch.context import Context
from litwatch.jobs.locks import job_lock
from litwatch.judging.knowledge_file import DEFAULT_PATH
from litwatch.judging.reclassify import reclassify_for_knowledge_base


def sync_knowledge_base(
    ctx: Context, *, progress: Callable[[int], None] | None = None
) -> tuple[set[str], int]:
    """Re-classify what a knowledge-base change affects; (changed finding ids, articles)."""
    kb = ctx.knowledge_base
    content = (ctx.settings.findings or DEFAULT_PATH).read_text(encoding="utf-8")
    with job_lock(ctx.engine, "kb-sync") as acquired, Session(ctx.engine) as session:
        if not acquired:
            return set(), 0
        changed, count = reclassify_for_knowledge_base(
            session, kb, content, now=ctx.now(), progress=progress
        )
        session.commit()
        return changed, count
