"""Checks on what a person typed: dates and choices, refused with the option's name."""

from __future__ import annotations

from collections.abc import Sequence
from datetime import date

from litwatch.errors import ConfigError


def parse_date(value: str | None, option: str) -> date | None:
    if value is None:
        return None
    try:
        return date.fromisoformat(value)
    except ValueError:
        raise ConfigError(f"{option}: {value!r} is not a date (YYYY-MM-DD)") from None


def check_choice(value: str, choices: Sequence[str], option: str) -> str:
    if value not in choices:
        raise ConfigError(f"{option} must be one of {', '.join(choices)} (got {value!r})")
    return value
