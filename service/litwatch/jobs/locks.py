"""One run of a job at a time, across processes and instances sharing a database.

PostgreSQL: a session-level advisory lock (pg_try_advisory_lock) held on its own connection
for the length of the run; it is released when the run ends or the process dies.
SQLite (one machine): a lease row in ``job_lock`` that expires, so a crashed holder does not
block the job for ever. The statements themselves are in ``litwatch.store.leases``.
"""

from __future__ import annotations

import os
import socket
from collections.abc import Iterator
from contextlib import contextmanager
from datetime import UTC, datetime, timedelta

from sqlalchemy import Engine
from sqlmodel import Session

from litwatch.store.leases import advisory_lock, release_lease, take_lease


def holder_id() -> str:
    """Who holds a lock: host and process."""
    return f"{socket.gethostname()}:{os.getpid()}"


@contextmanager
def job_lock(
    engine: Engine, name: str, *, ttl: timedelta = timedelta(hours=2), now: datetime | None = None
) -> Iterator[bool]:
    """Yield True if this process got the lock for ``name`` (and holds it inside the block)."""
    if engine.dialect.name == "postgresql":
        with advisory_lock(engine, name) as acquired:
            yield acquired
        return
    me = holder_id() + f":{id(object())}"
    with Session(engine) as session:
        acquired = take_lease(session, name, me, now=now or datetime.now(UTC), ttl=ttl)
        session.commit()
    try:
        yield acquired
    finally:
        if acquired:
            with Session(engine) as session:
                release_lease(session, name, me)
                session.commit()
