"""One run of a job at a time, across processes and instances sharing a database.

PostgreSQL: a session-level advisory lock (pg_try_advisory_lock) held on its own connection
for the length of the run; it is released when the run ends or the process dies.
SQLite (one machine): a lease row in ``job_lock`` that expires, so a crashed holder does not
block the job for ever.
"""

from __future__ import annotations

import hashlib
import os
import socket
from collections.abc import Iterator
from contextlib import contextmanager
from datetime import UTC, datetime, timedelta

from sqlalchemy import Engine, delete, text, update
from sqlalchemy.exc import IntegrityError
from sqlmodel import Session, col

from litwatch.store.tables import JobLock


def holder_id() -> str:
    """Who holds a lock: host and process."""
    return f"{socket.gethostname()}:{os.getpid()}"


def _lock_key(name: str) -> int:
    # A stable signed 64-bit key for pg_try_advisory_lock(bigint).
    return int.from_bytes(hashlib.sha256(name.encode()).digest()[:8], "big", signed=True)


@contextmanager
def job_lock(
    engine: Engine, name: str, *, ttl: timedelta = timedelta(hours=2), now: datetime | None = None
) -> Iterator[bool]:
    """Yield True if this process got the lock for ``name`` (and holds it inside the block)."""
    if engine.dialect.name == "postgresql":
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
        return
    me = holder_id() + f":{id(object())}"
    acquired = _take_lease(engine, name, me, ttl, now or datetime.now(UTC))
    try:
        yield acquired
    finally:
        if acquired:
            with Session(engine) as session:
                session.execute(
                    delete(JobLock).where(col(JobLock.name) == name, col(JobLock.holder) == me)
                )
                session.commit()


def _take_lease(engine: Engine, name: str, me: str, ttl: timedelta, now: datetime) -> bool:
    with Session(engine) as session:
        # Take over an expired lease, or create the row; exactly one writer wins either way.
        taken = session.execute(
            update(JobLock)
            .where(col(JobLock.name) == name, col(JobLock.expires_at) < now)
            .values(holder=me, expires_at=now + ttl)
        ).rowcount
        if taken:
            session.commit()
            return True
        try:
            session.add(JobLock(name=name, holder=me, expires_at=now + ttl))
            session.commit()
            return True
        except IntegrityError:
            session.rollback()
            return False
