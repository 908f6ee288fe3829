"""What the management pages show and take: saved searches, subscribers, runs.

Reads go through the store; forms are checked here, so a bad field comes back as a
``FormError`` naming the field, shown on the form with what was typed (answered 422).
"""

from __future__ import annotations

from dataclasses import dataclass, field
from datetime import date
from typing import Any

from sqlmodel import Session

from litwatch.context import Context
from litwatch.errors import ConfigError, QueryError
from litwatch.eutils.query_check import check_query, check_search_name
from litwatch.jobs.schedules import parse_schedule
from litwatch.store.quarantine import quarantine_listing
from litwatch.store.runs import (
    poll_runs_of,
    recent_job_runs,
    recent_poll_runs,
    undelivered_digests,
)
from litwatch.store.searches import find_search, list_searches, search_article_count
from litwatch.store.tables import PollRun, SavedSearch

RUNS_SHOWN = 50


class FormError(ValueError):
    """A field of a management form cannot be used; ``field`` names it."""

    def __init__(self, field: str, message: str) -> None:
        super().__init__(f"{field}: {message}")
        self.field = field


@dataclass
class SearchRow:
    search: SavedSearch
    schedule: str  # the one in force (the search's own or the default)
    articles: int
    runs: list[PollRun] = field(default_factory=list)  # newest first


def run_counts(run: PollRun) -> str:
    """A poll run's counts in one line, as `litwatch runs` prints them."""
    return (
        f"found {run.found}, new {run.new}, updated {run.updated}, failed {run.failed}, "
        f"quarantined {run.quarantined}, {run.requests} requests, {run.retries} retries"
    )


def search_rows(ctx: Context, *, runs: int = 1) -> list[SearchRow]:
    """Every saved search with its schedule, article count and latest runs."""
    with Session(ctx.engine) as session:
        return [_row(ctx, session, s, runs) for s in list_searches(session)]


def search_row(ctx: Context, name: str, *, runs: int = 10) -> SearchRow | None:
    with Session(ctx.engine) as session:
        search = find_search(session, name)
        return _row(ctx, session, search, runs) if search is not None else None


def _row(ctx: Context, session: Session, search: SavedSearch, runs: int) -> SearchRow:
    assert search.id is not None
    return SearchRow(
        search,
        search.schedule or ctx.settings.default_schedule,
        search_article_count(session, search.id),
        poll_runs_of(session, search.id, runs),
    )


def checked_name(value: Any) -> str:
    name = str(value or "").strip()
    try:
        return check_search_name(name)
    except QueryError as exc:
        raise FormError("name", str(exc)) from None


def checked_query(value: Any) -> str:
    try:
        return check_query(str(value or ""))
    except QueryError as exc:
        raise FormError("query", str(exc)) from None


def checked_schedule(value: Any, timezone: str) -> str | None:
    """A search's own schedule, or None for the default (blank or 'default')."""
    text = str(value or "").strip()
    if text.lower() in ("", "default"):
        return None
    try:
        parse_schedule(text, "schedule", timezone)
    except ConfigError as exc:
        raise FormError("schedule", str(exc).removeprefix("schedule: ")) from None
    return text


def checked_date(value: Any, name: str) -> date | None:
    text = str(value or "").strip()
    if not text:
        return None
    try:
        return date.fromisoformat(text)
    except ValueError:
        raise FormError(name, f"must be a date written YYYY-MM-DD, not {text!r}") from None


def checked_choice(value: Any, name: str, choices: tuple[str, ...]) -> str:
    text = str(value or "").strip()
    if text not in choices:
        raise FormError(name, f"must be one of {', '.join(choices)}")
    return text


def many(fields: dict[str, list[str]], name: str) -> list[str]:
    """A field that may be given several times (check boxes), blanks dropped."""
    return [v.strip() for v in fields.get(name, []) if v.strip()]


@dataclass
class RunsView:
    polls: list[dict[str, Any]]
    jobs: list[dict[str, Any]]
    undelivered: list[dict[str, Any]]
    quarantine: list[dict[str, Any]]


def runs_view(ctx: Context, limit: int = RUNS_SHOWN) -> RunsView:
    """The poll and job history, digests not delivered, and the quarantine."""
    with Session(ctx.engine) as session:
        polls = [
            {"run": r, "name": name, "query": query, "counts": run_counts(r)}
            for r, name, query in recent_poll_runs(session, limit)
        ]
        jobs = [
            {
                "run": j,
                "counts": ", ".join(f"{k} {v}" for k, v in (j.counts or {}).items()),
            }
            for j in recent_job_runs(session, limit)
        ]
        undelivered = [{"digest": d, "to": to} for d, to in undelivered_digests(session, limit)]
        held = [{"record": q, "search": name} for q, name in quarantine_listing(session, limit)]
    return RunsView(polls, jobs, undelivered, held)
