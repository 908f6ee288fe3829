"""Run history: poll runs, job runs, and the digests that have not been delivered yet.

Every function takes a ``Session``; the caller decides when to commit.
"""

from __future__ import annotations

from datetime import date, datetime
from typing import Any

from sqlalchemy import update
from sqlmodel import Session, col, select

from litwatch.store.searches import current_query_version
from litwatch.store.tables import (
    Digest,
    JobRun,
    PollRun,
    SavedSearch,
    SearchQueryVersion,
    Subscriber,
)


def start_poll_run(
    session: Session, search: SavedSearch, *, now: datetime, window: tuple[date, date]
) -> PollRun:
    version = current_query_version(session, search)
    run = PollRun(
        search_id=search.id,
        search_name=search.name,
        query_version_id=version.id if version else None,
        started_at=now,
        window_start=window[0],
        window_end=window[1],
    )
    session.add(run)
    session.flush()
    return run


STOPPED = "the process stopped mid-run"


def abandon_stale_runs(session: Session, search_id: int, *, now: datetime, why: str = "") -> int:
    """Mark poll runs left 'running' by a process that died; they ended without finishing.

    Called by the holder of the search's lock, so no run of it can still be going on."""
    res = session.execute(
        update(PollRun)
        .where(col(PollRun.search_id) == search_id, col(PollRun.status) == "running")
        .values(status="abandoned", finished_at=now, error=f"abandoned: {why or STOPPED}"[:4000])
    )
    return res.rowcount or 0


def abandon_stale_job_runs(session: Session, job: str, *, now: datetime, why: str = "") -> int:
    """The same for runs of ``job`` (a digest run) left 'running', by the holder of its lock."""
    res = session.execute(
        update(JobRun)
        .where(col(JobRun.job) == job, col(JobRun.status) == "running")
        .values(status="abandoned", finished_at=now, error=f"abandoned: {why or STOPPED}"[:4000])
    )
    return res.rowcount or 0


def start_job_run(session: Session, job: str, *, started: datetime) -> JobRun:
    """Keep a run of ``job`` as 'running' from its start, so a crash leaves a trace."""
    run = JobRun(job=job, started_at=started, status="running", counts={})
    session.add(run)
    session.flush()
    return run


def finish_job_run(session: Session, run_id: int, **outcome: Any) -> None:
    """Write a job run's outcome (finished_at, status, counts, error); the caller commits."""
    if "error" in outcome:
        outcome["error"] = outcome["error"][:4000]
    session.execute(update(JobRun).where(col(JobRun.id) == run_id).values(**outcome))


def finish_poll_run(session: Session, run: PollRun, **outcome: Any) -> PollRun:
    """Write a poll run's outcome (status, counts, error, finished_at); the caller commits.

    Only the outcome is written: a search removed meanwhile has set the run's search to NULL,
    and the run must not point at it again.
    """
    row = session.get(PollRun, run.id, populate_existing=True)
    if row is None:
        row = session.merge(run)
    for name, value in outcome.items():
        setattr(row, name, value)
    session.add(row)
    return row


def recent_poll_runs(session: Session, limit: int = 20) -> list[tuple[PollRun, str, str]]:
    """The latest poll runs with their search's name and the query they ran.

    A removed search's runs stay, named "NAME (removed)".
    """
    stmt = (
        select(PollRun, SavedSearch.name, SearchQueryVersion.query)
        .join(SavedSearch, col(SavedSearch.id) == col(PollRun.search_id), isouter=True)
        .join(
            SearchQueryVersion,
            col(SearchQueryVersion.id) == col(PollRun.query_version_id),
            isouter=True,
        )
        .order_by(col(PollRun.started_at).desc(), col(PollRun.id).desc())
        .limit(limit)
    )
    return [
        (run, name or f"{run.search_name or '?'} (removed)", query or "")
        for run, name, query in session.exec(stmt)
    ]


def poll_runs_of(session: Session, search_id: int, limit: int = 5) -> list[PollRun]:
    """The latest poll runs of one saved search, newest first."""
    stmt = (
        select(PollRun)
        .where(PollRun.search_id == search_id)
        .order_by(col(PollRun.started_at).desc(), col(PollRun.id).desc())
        .limit(limit)
    )
    return list(session.exec(stmt).all())


def recent_job_runs(session: Session, limit: int = 20) -> list[JobRun]:
    """The latest runs of the scheduled jobs, newest first."""
    return list(
        session.exec(select(JobRun).order_by(col(JobRun.started_at).desc()).limit(limit)).all()
    )


def undelivered_digests(session: Session, limit: int = 20) -> list[tuple[Digest, str]]:
    """Digests tried but not delivered (failed, or due a retry), with the address, newest first."""
    stmt = (
        select(Digest, Subscriber.email)
        .join(Subscriber, col(Subscriber.id) == col(Digest.subscriber_id))
        .where(col(Digest.status).in_(["failed", "pending"]), col(Digest.attempts) > 0)
        .order_by(col(Digest.id).desc())
        .limit(limit)
    )
    return [(digest, email) for digest, email in session.exec(stmt).all()]
