"""One run of a job at a time, across processes and instances sharing a database.

PostgreSQL: a session-level advisory lock (pg_try_advisory_lock) held on its own connection
for the length of the run; it is released when the run ends or the process dies. A row in
``job_lock`` beside it names the holder, so a skipped run can say who has the lock.

SQLite (one machine): the ``job_lock`` row is the lease. It is short (``TTL``) and a thread
of the holder renews it every third of that while the run goes on. A heartbeat thread rather
than a renewal at each batch, because one batch can outlast any short TTL (an efetch of
thousands of records, NCBI's retries backing off for minutes, a digest run that has no
batches) and the renewal should not depend on what the work is doing. The lease may be taken
over at once when its holder is provably dead (same host, and its PID is gone or belongs to a
later process), or by anyone once it has run out without being renewed. The statements
themselves are in ``litwatch.store.leases``.
"""

from __future__ import annotations

import logging
import os
import socket
import threading
import uuid
from collections.abc import Callable, Iterator
from contextlib import contextmanager
from dataclasses import dataclass, field
from datetime import UTC, datetime, timedelta

import psutil
from sqlalchemy import Engine
from sqlmodel import Session

from litwatch.store.leases import (
    LeaseHolder,
    advisory_lock,
    create_lease,
    note_holder,
    read_lease,
    release_lease,
    renew_lease,
    replace_lease,
)

log = logging.getLogger(__name__)

TTL = timedelta(seconds=60)
Clock = Callable[[], datetime]


def _wall_clock() -> datetime:
    return datetime.now(UTC)


def holder_id() -> str:
    """Who holds a lock: host and process."""
    return f"{socket.gethostname()}:{os.getpid()}"


def _process_started(pid: int) -> datetime | None:
    try:
        return datetime.fromtimestamp(psutil.Process(pid).create_time(), UTC)
    except psutil.Error:
        return None


def process_alive(pid: int, started: datetime | None) -> bool:
    """Whether process ``pid`` of this host runs, and is the one that started at ``started``."""
    try:
        proc = psutil.Process(pid)
        if proc.status() == psutil.STATUS_ZOMBIE:  # dead, not yet reaped by its parent
            return False
        born = proc.create_time()
    except psutil.NoSuchProcess:
        return False
    except psutil.AccessDenied:
        return True  # it exists; we may not look closer
    return started is None or abs(born - started.timestamp()) < 1.0


def gone_from_this_host(worker: str) -> bool:
    """Whether ``worker`` (a ``holder_id``) names a process of this host that no longer runs.

    A PID since reused by another process counts as running: the caller then waits, as it
    would for a worker on another host, rather than take work from one that may be alive."""
    host, _, pid = worker.rpartition(":")
    return host == socket.gethostname() and pid.isdigit() and not process_alive(int(pid), None)


def describe(holder: LeaseHolder) -> str:
    """``host pid N since T``: who holds a lock, in words."""
    since = holder.acquired_at.strftime("%Y-%m-%d %H:%M:%S UTC") if holder.acquired_at else "?"
    return f"{holder.host or '?'} pid {holder.pid or '?'} since {since}"


@dataclass
class Lease:
    """The outcome of asking for a job lock; true when this process got it."""

    name: str
    acquired: bool
    holder: LeaseHolder | None = None  # this process's holding, or the other's when refused
    took_over: str = ""  # why the holding before ours was ended ("" if the lock was free)
    lost: threading.Event = field(default_factory=threading.Event)  # taken from us mid-run

    def __bool__(self) -> bool:
        return self.acquired

    def held_by(self) -> str:
        return describe(self.holder) if self.holder else "a holder not yet named"


def _me(now: datetime, ttl: timedelta) -> LeaseHolder:
    pid = os.getpid()
    return LeaseHolder(
        token=f"{holder_id()}:{uuid.uuid4().hex[:12]}",
        host=socket.gethostname(),
        pid=pid,
        process_started_at=_process_started(pid),
        acquired_at=now,
        expires_at=now + ttl,
    )


def _why_free(current: LeaseHolder, now: datetime) -> str | None:
    """Why ``current``'s holding may be taken over now, or None while it stands."""
    if current.expires_at <= now:
        return (
            f"its lease ran out at {current.expires_at:%Y-%m-%d %H:%M:%S} UTC unrenewed "
            f"(held by {describe(current)})"
        )
    if current.host == socket.gethostname() and current.pid:
        if not process_alive(current.pid, current.process_started_at):
            return f"its process is gone ({describe(current)})"
    return None


def _take(engine: Engine, name: str, me: LeaseHolder, now: datetime) -> Lease:
    for _ in range(5):  # each pass ends in a decision unless another writer raced us
        with Session(engine) as session:
            current = read_lease(session, name)
            if current is None:
                if create_lease(session, name, me):
                    session.commit()
                    return Lease(name, True, me)
                continue
            why = _why_free(current, now)
            if why is None:
                return Lease(name, False, current)
            if replace_lease(session, name, current.token, me):
                session.commit()
                log.warning("took over the lock %s: %s", name, why)
                return Lease(name, True, me, took_over=why)
    with Session(engine) as session:
        return Lease(name, False, read_lease(session, name))


def _note(engine: Engine, name: str, me: LeaseHolder) -> Lease:
    """PostgreSQL, with the advisory lock held: name ourselves; a row left is a dead holder's."""
    with Session(engine) as session:
        before = read_lease(session, name)
        note_holder(session, name, me)
        session.commit()
    if before is None:
        return Lease(name, True, me)
    why = f"its database session ended without releasing it ({describe(before)})"
    log.warning("took over the lock %s: %s", name, why)
    return Lease(name, True, me, took_over=why)


def _release(engine: Engine, name: str, token: str) -> None:
    with Session(engine) as session:
        release_lease(session, name, token)
        session.commit()


class _Heartbeat:
    """Renews a lease every ``every`` seconds until stopped; flags ``lost`` if it was taken."""

    def __init__(self, engine: Engine, lease: Lease, clock: Clock, ttl: timedelta, every: float):
        self.engine, self.lease, self.clock, self.ttl = engine, lease, clock, ttl
        self.every = max(every, 0.01)
        self._stop = threading.Event()
        self._thread = threading.Thread(target=self._run, name=f"lease:{lease.name}", daemon=True)

    def __enter__(self) -> _Heartbeat:
        self._thread.start()
        return self

    def __exit__(self, *_: object) -> None:
        self._stop.set()
        self._thread.join()

    def _run(self) -> None:
        name, token = self.lease.name, self.lease.holder.token  # type: ignore[union-attr]
        while not self._stop.wait(self.every):
            try:
                with Session(self.engine) as session:
                    kept = renew_lease(session, name, token, self.clock() + self.ttl)
                    session.commit()
            except Exception as exc:  # the database is busy or away: try again at the next beat
                log.warning("could not renew the lock %s: %s", name, exc)
                continue
            if not kept:
                log.error("the lock %s was taken over; this run no longer holds it", name)
                self.lease.lost.set()
                return


@contextmanager
def job_lock(
    engine: Engine,
    name: str,
    *,
    ttl: timedelta = TTL,
    clock: Clock = _wall_clock,
    renew_every: float | None = None,
) -> Iterator[Lease]:
    """Yield a ``Lease``, true if this process got the lock for ``name`` (held in the block).

    Refused, the lease names who holds the lock; granted after taking it from a dead holder,
    ``took_over`` says why that holder's run ended. ``clock`` stamps the lease (tests pass
    theirs); the heartbeat renews every ``renew_every`` seconds (a third of the TTL).
    """
    me = _me(clock(), ttl)
    if engine.dialect.name == "postgresql":
        with advisory_lock(engine, name) as acquired:
            if not acquired:
                with Session(engine) as session:
                    other = read_lease(session, name)
                yield Lease(name, False, other)
                return
            lease = _note(engine, name, me)
            try:
                yield lease
            finally:
                _release(engine, name, me.token)
        return
    lease = _take(engine, name, me, clock())
    if not lease:
        yield lease
        return
    every = renew_every if renew_every is not None else ttl.total_seconds() / 3
    try:
        with _Heartbeat(engine, lease, clock, ttl, every):
            yield lease
    finally:
        _release(engine, name, me.token)
