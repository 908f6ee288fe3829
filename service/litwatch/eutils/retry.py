"""When an E-utilities request deserves another try, and how long to wait before it.

Waits grow exponentially with up to a second of jitter (so clients that failed together do
not come back together), are capped at ``backoff_max``, and are never shorter than what the
server asked for in ``Retry-After``.
"""

from __future__ import annotations

import logging
from collections.abc import Callable
from datetime import UTC, datetime
from email.utils import parsedate_to_datetime
from typing import Any

from tenacity import (
    RetryCallState,
    Retrying,
    retry_if_exception_type,
    stop_after_attempt,
    wait_exponential_jitter,
)

log = logging.getLogger(__name__)

# First backoff wait in seconds; it doubles each try.
BACKOFF_INITIAL = 1.0
BACKOFF_JITTER = 1.0
# The parameters that identify a request in messages (never tool, email or api_key).
_DESCRIBED = ("term", "datetype", "mindate", "maxdate", "retstart", "retmax", "query_key")


class Transient(Exception):
    """A failure worth another try; ``retry_after`` is the server's requested wait."""

    def __init__(self, reason: str, retry_after: float | None = None) -> None:
        super().__init__(reason)
        self.retry_after = retry_after


def retry_after_seconds(value: str | None, now: datetime) -> float | None:
    """Seconds asked for by a Retry-After header (delay or HTTP date); None if unreadable."""
    if not value:
        return None
    value = value.strip()
    try:
        return max(0.0, float(value))
    except ValueError:
        pass
    try:
        when = parsedate_to_datetime(value)
    except (TypeError, ValueError):
        return None
    if when.tzinfo is None:
        when = when.replace(tzinfo=UTC)
    return max(0.0, (when - now).total_seconds())


def describe_request(endpoint: str, params: dict[str, Any]) -> str:
    """A short name for a request, for errors and logs; carries no credentials."""
    parts = [endpoint.removesuffix(".fcgi")]
    for key in _DESCRIBED:
        if key in params:
            value = params[key]
            parts.append(f"{key}={value!r}" if key == "term" else f"{key}={value}")
    if "id" in params:
        ids = str(params["id"]).split(",")
        parts.append(f"id={ids[0]}" + (f"..({len(ids)} ids)" if len(ids) > 1 else ""))
    return " ".join(parts)


def make_retrying(
    *,
    max_tries: int,
    backoff_max: float,
    sleep: Callable[[float], None],
    request: str,
    on_retry: Callable[[], None] | None = None,
) -> Retrying:
    """A tenacity loop that retries Transient failures only, sleeping through ``sleep``;
    ``on_retry`` is called once for each new try."""
    backoff = wait_exponential_jitter(
        initial=BACKOFF_INITIAL, max=backoff_max, jitter=BACKOFF_JITTER
    )

    def wait(state: RetryCallState) -> float:
        exc = state.outcome.exception() if state.outcome else None
        if isinstance(exc, Transient) and exc.retry_after is not None:
            return max(backoff(state), exc.retry_after)
        return backoff(state)

    def before_sleep(state: RetryCallState) -> None:
        exc = state.outcome.exception() if state.outcome else None
        pause = state.next_action.sleep if state.next_action else 0.0
        log.warning(
            "%s: %s; try %d of %d in %.1f s",
            request,
            exc,
            state.attempt_number + 1,
            max_tries,
            pause,
        )
        if on_retry is not None:
            on_retry()

    return Retrying(
        stop=stop_after_attempt(max_tries),
        wait=wait,
        retry=retry_if_exception_type(Transient),
        sleep=sleep,
        before_sleep=before_sleep,
    )
