"""Poll schedules as people write them: 'every 6h', 'every 30m', 'every 2d' or a cron line
('every 20s' too, for tests that run several rounds)."""

from __future__ import annotations

import re
from datetime import timedelta

from apscheduler.triggers.base import BaseTrigger
from apscheduler.triggers.cron import CronTrigger
from apscheduler.triggers.interval import IntervalTrigger

from litwatch.errors import ConfigError

_EVERY = re.compile(r"^every\s+(\d+)\s*(s|m|min|h|d)$", re.IGNORECASE)
_UNITS = {"s": "seconds", "m": "minutes", "min": "minutes", "h": "hours", "d": "days"}


def schedule_interval(text: str, setting: str = "schedule") -> timedelta | None:
    """The interval of an 'every N<unit>' schedule; None for anything else (a cron line,
    which ``parse_schedule`` reads and checks)."""
    m = _EVERY.match(text.strip())
    if m:
        amount = int(m.group(1))
        if amount <= 0:
            raise ConfigError(f"{setting}: the interval must be positive ({text!r})")
        return timedelta(**{_UNITS[m.group(2).lower()]: amount})
    return None


def parse_schedule(text: str, setting: str = "schedule", timezone: str = "UTC") -> BaseTrigger:
    """An APScheduler trigger for ``text``; ConfigError naming ``setting`` when it is bad."""
    m = _EVERY.match(text.strip())
    if m:
        amount = int(m.group(1))
        if amount <= 0:
            raise ConfigError(f"{setting}: the interval must be positive ({text!r})")
        return IntervalTrigger(**{_UNITS[m.group(2).lower()]: amount}, timezone=timezone)
    try:
        return CronTrigger.from_crontab(text.strip(), timezone=timezone)
    except ValueError as exc:
        raise ConfigError(
            f"{setting}: {text!r} is neither 'every N(s|m|h|d)' nor a cron line ({exc})"
        ) from None
