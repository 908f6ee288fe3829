"""What the database knows about the service's work, read at once for /metrics and /healthz.

Every figure comes from the tables (poll runs, job runs, digests, saved searches), so it is the
same whichever instance is asked and survives a restart. Returned as plain values.
"""

from __future__ import annotations

from dataclasses import dataclass, field
from datetime import datetime

from sqlalchemy import Engine, case, func, or_
from sqlalchemy.exc import SQLAlchemyError
from sqlmodel import Session, col, select

from litwatch.errors import StoreError
from litwatch.store.tables import Article, Digest, JobRun, PollRun, SavedSearch

# The poll run's counts kept per search, in the order they are reported.
POLL_COUNTS = ("found", "new", "updated", "failed", "deleted", "requests")


@dataclass(frozen=True)
class SearchState:
    """A saved search as the health check and the last-success gauge need it."""

    name: str
    schedule: str | None  # None: the default schedule
    enabled: bool
    created_at: datetime
    last_success_at: datetime | None


@dataclass
class StoreFigures:
    """Counts read from the database at one moment."""

    searches: list[SearchState] = field(default_factory=list)
    polls: dict[tuple[str, str], int] = field(default_factory=dict)  # (search, status) -> runs
    poll_counts: dict[str, dict[str, int]] = field(default_factory=dict)  # search -> sums
    articles: dict[str, int] = field(default_factory=dict)  # stored | deleted | retracted
    job_runs: dict[tuple[str, str], int] = field(default_factory=dict)  # (job, status) -> runs
    digests: dict[str, int] = field(default_factory=dict)  # status -> digests
    digests_retrying: int = 0  # pending after at least one failed try
    digests_due: int = 0  # pending and due to be tried now
    delivery_attempts: int = 0


def read_searches(session: Session) -> list[SearchState]:
    """Every saved search, by name."""
    rows = session.exec(select(SavedSearch).order_by(col(SavedSearch.name))).all()
    return [
        SearchState(
            name=s.name,
            schedule=s.schedule,
            enabled=s.enabled,
            created_at=s.created_at,  # type: ignore[arg-type]  # NOT NULL
            last_success_at=s.last_success_at,
        )
        for s in rows
    ]


def _poll_figures(session: Session, figures: StoreFigures) -> None:
    by_status = session.exec(
        select(SavedSearch.name, PollRun.status, func.count())
        .join(SavedSearch, col(SavedSearch.id) == col(PollRun.search_id))
        .group_by(col(SavedSearch.name), col(PollRun.status))
    ).all()
    figures.polls = {(name, status): int(n) for name, status, n in by_status}
    sums = [func.coalesce(func.sum(getattr(PollRun, c)), 0) for c in POLL_COUNTS]
    per_search = session.exec(
        select(SavedSearch.name, *sums)  # type: ignore[call-overload]
        .join(SavedSearch, col(SavedSearch.id) == col(PollRun.search_id))
        .group_by(col(SavedSearch.name))
    ).all()
    figures.poll_counts = {
        row[0]: {c: int(v) for c, v in zip(POLL_COUNTS, row[1:], strict=True)} for row in per_search
    }


def _article_figures(session: Session, figures: StoreFigures) -> None:
    total, deleted, retracted = session.exec(
        select(
            func.count(),
            func.coalesce(func.sum(case((col(Article.deleted), 1), else_=0)), 0),
            func.coalesce(func.sum(case((col(Article.retracted), 1), else_=0)), 0),
        )
    ).one()
    figures.articles = {
        "stored": int(total) - int(deleted),
        "deleted": int(deleted),
        "retracted": int(retracted),
    }


def _digest_figures(session: Session, figures: StoreFigures, now: datetime) -> None:
    by_status = session.exec(
        select(
            Digest.status, func.count(), func.coalesce(func.sum(col(Digest.attempts)), 0)
        ).group_by(col(Digest.status))
    ).all()
    figures.digests = {status: int(n) for status, n, _ in by_status}
    figures.delivery_attempts = sum(int(a) for _, _, a in by_status)
    pending = col(Digest.status) == "pending"
    figures.digests_retrying = session.exec(
        select(func.count()).where(pending, col(Digest.attempts) > 0)
    ).one()
    figures.digests_due = session.exec(
        select(func.count()).where(
            pending,
            or_(col(Digest.next_attempt_at).is_(None), col(Digest.next_attempt_at) <= now),
        )
    ).one()


def read_figures(session: Session, *, now: datetime) -> StoreFigures:
    """Everything /metrics reports from the database, read in one session."""
    figures = StoreFigures(searches=read_searches(session))
    _poll_figures(session, figures)
    _article_figures(session, figures)
    jobs = session.exec(
        select(JobRun.job, JobRun.status, func.count()).group_by(
            col(JobRun.job), col(JobRun.status)
        )
    ).all()
    figures.job_runs = {(job, status): int(n) for job, status, n in jobs}
    _digest_figures(session, figures, now)
    return figures


def collect_figures(engine: Engine, *, now: datetime) -> StoreFigures:
    """``read_figures`` in a session of its own; StoreError when the database cannot answer."""
    try:
        with Session(engine) as session:
            return read_figures(session, now=now)
    except SQLAlchemyError as exc:
        raise StoreError(f"the database does not answer: {exc}") from exc


def collect_searches(engine: Engine) -> list[SearchState]:
    """``read_searches`` in a session of its own; StoreError when the database cannot answer."""
    try:
        with Session(engine) as session:
            return read_searches(session)
    except SQLAlchemyError as exc:
        raise StoreError(f"the database does not answer: {exc}") from exc
