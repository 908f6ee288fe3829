"""Each knowledge base the store was classified with, kept whole so a change can be traced.

The snapshot with the newest ``created_at`` is the knowledge base the store is classified with
now.
"""

from __future__ import annotations

from datetime import datetime

from sqlmodel import Session, col, select

from litwatch.store.tables import KnowledgeBaseSnapshot


def get_latest_snapshot(session: Session) -> KnowledgeBaseSnapshot | None:
    """The current knowledge base's snapshot; None before the first sync."""
    return session.exec(
        select(KnowledgeBaseSnapshot).order_by(col(KnowledgeBaseSnapshot.created_at).desc())
    ).first()


def save_snapshot(
    session: Session, version: str, content: str, *, created_at: datetime, rules_version: str = ""
) -> None:
    """Make ``version`` the latest snapshot: add it, or move an earlier one's stamp forward;
    ``rules_version`` is the rules the store is now classified with."""
    snap = session.get(KnowledgeBaseSnapshot, version)
    if snap is None:
        session.add(
            KnowledgeBaseSnapshot(
                version=version, content=content, created_at=created_at, rules_version=rules_version
            )
        )
    else:  # back to an earlier knowledge base: it is the latest again
        snap.created_at = created_at
        snap.rules_version = rules_version
