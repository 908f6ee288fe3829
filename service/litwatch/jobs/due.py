"""What is due, decided from the database's record of what was done (pure functions).

The scheduler only wakes things up; these say whether there is work, so a restart, a missed
run or a second instance never changes what gets done.
"""

from __future__ import annotations

from datetime import datetime, time, timedelta
from zoneinfo import ZoneInfo

from apscheduler.triggers.cron import CronTrigger

from litwatch.jobs.schedules import parse_schedule, schedule_interval

WEEKDAYS = ("mon", "tue", "wed", "thu", "fri", "sat", "sun")


def poll_due(schedule: str, last_success: datetime | None, now: datetime) -> bool:
    """Whether a search on ``schedule``, last polled at ``last_success``, is due at ``now``."""
    if last_success is None:
        return True
    interval = schedule_interval(schedule)
    if interval is not None:
        return now >= last_success + interval
    trigger = parse_schedule(schedule)
    assert isinstance(trigger, CronTrigger)
    nxt = trigger.get_next_fire_time(None, last_success + timedelta(microseconds=1))
    return nxt is not None and nxt <= now


def digest_slot(
    frequency: str, now: datetime, *, at: str = "07:00", weekday: str = "mon", tz: str = "UTC"
) -> datetime:
    """The latest time at or before ``now`` when a digest of ``frequency`` was due to go out."""
    zone = ZoneInfo(tz)
    local = now.astimezone(zone)
    hh, mm = (int(x) for x in at.split(":"))
    slot = datetime.combine(local.date(), time(hh, mm), tzinfo=zone)
    if slot > local:
        slot -= timedelta(days=1)
    if frequency == "weekly":
        back = (slot.weekday() - WEEKDAYS.index(weekday)) % 7
        slot -= timedelta(days=back)
    # Rebuild from the wall-clock date so a DST change between the days keeps the hour.
    slot = datetime.combine(slot.date(), time(hh, mm), tzinfo=zone)
    return slot.astimezone(ZoneInfo("UTC"))


def digest_due(
    frequency: str,
    last_digest: datetime | None,
    created: datetime,
    now: datetime,
    *,
    at: str = "07:00",
    weekday: str = "mon",
    tz: str = "UTC",
) -> datetime | None:
    """The slot a subscriber's next digest is for, if one is due now; else None."""
    slot = digest_slot(frequency, now, at=at, weekday=weekday, tz=tz)
    since = last_digest or created
    return slot if since < slot else None


def next_digest_at(
    frequency: str,
    last_digest: datetime | None,
    created: datetime,
    now: datetime,
    *,
    at: str = "07:00",
    weekday: str = "mon",
    tz: str = "UTC",
) -> datetime:
    """When a subscriber's next digest is due: ``now`` if one is due already, else the next
    slot (the digest time on the next day, or on the next digest weekday)."""
    if digest_due(frequency, last_digest, created, now, at=at, weekday=weekday, tz=tz):
        return now
    zone = ZoneInfo(tz)
    slot = digest_slot(frequency, now, at=at, weekday=weekday, tz=tz).astimezone(zone)
    hh, mm = (int(x) for x in at.split(":"))
    step = timedelta(days=7 if frequency == "weekly" else 1)
    # From the wall-clock date, so a DST change in between keeps the hour.
    nxt = datetime.combine(slot.date() + step, time(hh, mm), tzinfo=zone)
    return nxt.astimezone(ZoneInfo("UTC"))
