"""The statements behind job locks: PostgreSQL advisory locks and the ``job_lock`` rows.

On SQLite the row is the lease; on PostgreSQL it only says who holds the advisory lock. Which
one to use, who the holder is and when a lease may be taken over is decided in
``litwatch.jobs.locks``; every write here is a compare-and-set, so one writer wins a race.
"""

from __future__ import annotations

import hashlib
from collections.abc import Iterator
from contextlib import contextmanager
from dataclasses import dataclass
from datetime import datetime

from sqlalchemy import Engine, delete, text, update
from sqlalchemy.exc import IntegrityError
from sqlmodel import Session, col

from litwatch.store.tables import JobLock


@dataclass(frozen=True)
class LeaseHolder:
    """One holding of a job lock, as kept in its row."""

    token: str
    host: str
    pid: int
    process_started_at: datetime | None
    acquired_at: datetime | None
    expires_at: datetime


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


def _values(holder: LeaseHolder) -> dict[str, object]:
    return {
        "holder": holder.token,
        "host": holder.host,
        "pid": holder.pid,
        "process_started_at": holder.process_started_at,
        "acquired_at": holder.acquired_at,
        "expires_at": holder.expires_at,
    }


def read_lease(session: Session, name: str) -> LeaseHolder | None:
    """Who holds ``name`` now according to its row (None: nobody)."""
    row = session.get(JobLock, name, populate_existing=True)
    if row is None:
        return None
    return LeaseHolder(
        token=row.holder,
        host=row.host,
        pid=row.pid,
        process_started_at=row.process_started_at,
        acquired_at=row.acquired_at,
        expires_at=row.expires_at,  # type: ignore[arg-type]
    )


def create_lease(session: Session, name: str, holder: LeaseHolder) -> bool:
    """Make the row for ``name`` held by ``holder``; False if another writer made it first.

    On False the session is rolled back (nothing of it is left to commit); otherwise the caller
    commits to make the lease hold.
    """
    try:
        session.add(JobLock(name=name, **_values(holder)))  # type: ignore[arg-type]
        session.flush()
    except IntegrityError:
        session.rollback()
        return False
    return True


def replace_lease(session: Session, name: str, old_token: str, holder: LeaseHolder) -> bool:
    """Hand ``name`` from the holding ``old_token`` to ``holder``, if it is still that one's."""
    res = session.execute(
        update(JobLock)
        .where(col(JobLock.name) == name, col(JobLock.holder) == old_token)
        .values(**_values(holder))
    )
    return bool(res.rowcount)


def renew_lease(session: Session, name: str, token: str, expires_at: datetime) -> bool:
    """Push the expiry of ``name`` on, if ``token`` still holds it; False if it was lost."""
    res = session.execute(
        update(JobLock)
        .where(col(JobLock.name) == name, col(JobLock.holder) == token)
        .values(expires_at=expires_at)
    )
    return bool(res.rowcount)


def note_holder(session: Session, name: str, holder: LeaseHolder) -> None:
    """PostgreSQL, under the advisory lock: make the row name ``holder``, whatever it said."""
    session.execute(delete(JobLock).where(col(JobLock.name) == name))
    session.add(JobLock(name=name, **_values(holder)))  # type: ignore[arg-type]
    session.flush()


def release_lease(session: Session, name: str, token: str) -> None:
    """Give the lease ``name`` back, if ``token`` still has it."""
    session.execute(delete(JobLock).where(col(JobLock.name) == name, col(JobLock.holder) == token))
