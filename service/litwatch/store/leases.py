"""The statements behind job locks: PostgreSQL advisory locks and SQLite lease rows.

Which one to use, and who the holder is, is decided in ``litwatch.jobs.locks``.
"""

from __future__ import annotations

import hashlib
from collections.abc import Iterator
from contextlib import contextmanager
from datetime import datetime, timedelta

from sqlalchemy import Engine, delete, text, update
from sqlalchemy.exc import IntegrityError
from sqlmodel import Session, col

from litwatch.store.tables import JobLock


def _lock_key(name: str) -> int:
    # A stable signed 64-bit key for pg_try_advisory_lock(bigint).
    return int.from_bytes(hashlib.sha256(name.encode()).digest()[:8], "big", signed=True)


@contextmanager
def advisory_lock(engine: Engine, name: str) -> Iterator[bool]:
    """PostgreSQL: yield True if the advisory lock for ``name`` was free, held inside the block.

    The lock belongs to the connection, so this one connection is kept for the whole block
    rather than a session's, which may go back to the pool between transactions.
    """
    with engine.connect() as conn:
        got = conn.execute(text("SELECT pg_try_advisory_lock(:k)"), {"k": _lock_key(name)})
        acquired = bool(got.scalar())
        conn.commit()
        try:
            yield acquired
        finally:
            if acquired:
                conn.execute(text("SELECT pg_advisory_unlock(:k)"), {"k": _lock_key(name)})
                conn.commit()


def take_lease(session: Session, name: str, holder: str, *, now: datetime, ttl: timedelta) -> bool:
    """Take the lease ``name`` for ``holder`` if it is free or expired; False if someone has it.

    When another writer created the row first, the session is rolled back (nothing of it is
    left to commit); otherwise the caller commits to make the lease hold.
    """
    # Take over an expired lease, or create the row; exactly one writer wins either way.
    taken = session.execute(
        update(JobLock)
        .where(col(JobLock.name) == name, col(JobLock.expires_at) < now)
        .values(holder=holder, expires_at=now + ttl)
    ).rowcount
    if taken:
        return True
    try:
        session.add(JobLock(name=name, holder=holder, expires_at=now + ttl))
        session.flush()
    except IntegrityError:
        session.rollback()
        return False
    return True


def release_lease(session: Session, name: str, holder: str) -> None:
    """Give the lease ``name`` back, if ``holder`` still has it."""
    session.execute(delete(JobLock).where(col(JobLock.name) == name, col(JobLock.holder) == holder))
