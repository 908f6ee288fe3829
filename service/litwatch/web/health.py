"""The health rule: the service can poll, the database answers, and no enabled search has
missed three of its polls.

A service that cannot poll (no contact address for NCBI) is unhealthy from the start: it will
not recover by itself, and waiting for its searches to turn late would hide that for hours.

A search is late when three of its intervals ('every 6h': 18 hours) have passed since its last
successful poll, or for a cron schedule, when it has fired three times since. A search never
polled successfully counts from when it was added. Pure functions over plain values.
"""

from __future__ import annotations

from dataclasses import dataclass
from datetime import datetime, timedelta

from apscheduler.triggers.cron import CronTrigger

from litwatch.config import Settings
from litwatch.errors import ConfigError
from litwatch.jobs.schedules import parse_schedule, schedule_interval
from litwatch.jobs.startup import polling_problem
from litwatch.store.metrics import SearchState

MISSED_POLLS = 3  # late after this many scheduled polls without a success


@dataclass(frozen=True)
class SearchHealth:
    name: str
    schedule: str
    last_success_at: datetime | None
    late_after: datetime | None  # None: the schedule cannot be read, or never fires again
    late: bool
    problem: str = ""

    def as_dict(self) -> dict[str, object]:
        return {
            "name": self.name,
            "schedule": self.schedule,
            "last_success_at": _iso(self.last_success_at),
            "late_after": _iso(self.late_after),
            "ok": not self.late,
            **({"problem": self.problem} if self.problem else {}),
        }


def _iso(moment: datetime | None) -> str | None:
    return moment.isoformat() if moment else None


def service_problems(settings: Settings) -> list[str]:
    """What the service cannot do with these settings, one sentence each (the web banner and
    ``/healthz`` show them)."""
    problem = polling_problem(settings)
    return [problem] if problem else []


def late_after(schedule: str, since: datetime, *, timezone: str = "UTC") -> datetime | None:
    """When a search on ``schedule``, last polled at ``since``, has missed three polls."""
    interval = schedule_interval(schedule)
    if interval is not None:
        return since + MISSED_POLLS * interval
    trigger = parse_schedule(schedule, timezone=timezone)
    assert isinstance(trigger, CronTrigger)
    moment: datetime | None = since
    for _ in range(MISSED_POLLS):
        assert moment is not None
        moment = trigger.get_next_fire_time(None, moment + timedelta(microseconds=1))
        if moment is None:
            return None
    return moment


def search_health(
    search: SearchState, now: datetime, *, default_schedule: str, timezone: str = "UTC"
) -> SearchHealth:
    """Whether one search is late at ``now``, and since when it would be."""
    schedule = search.schedule or default_schedule
    since = search.last_success_at or search.created_at
    try:
        deadline = late_after(schedule, since, timezone=timezone)
    except ConfigError as exc:
        return SearchHealth(search.name, schedule, search.last_success_at, None, True, str(exc))
    late = deadline is not None and now > deadline
    problem = ""
    if late:
        done = (
            f"last polled successfully at {search.last_success_at.isoformat()}"
            if search.last_success_at
            else f"never polled successfully since it was added at {since.isoformat()}"
        )
        problem = f"search {search.name!r} ({schedule}) has missed {MISSED_POLLS} polls: {done}"
    return SearchHealth(search.name, schedule, search.last_success_at, deadline, late, problem)


def searches_health(
    searches: list[SearchState], now: datetime, *, default_schedule: str, timezone: str = "UTC"
) -> list[SearchHealth]:
    """The health of every enabled search (a disabled one is not expected to poll)."""
    return [
        search_health(s, now, default_schedule=default_schedule, timezone=timezone)
        for s in searches
        if s.enabled
    ]
