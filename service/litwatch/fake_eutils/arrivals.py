"""Counting what the fake server saw per window, as NCBI counts: arrivals in any one second.

most_in_window(fake.requests)            # the busiest sliding one-second window
most_in_window(fake.requests, who="k")   # only the requests counted against key k
"""

from __future__ import annotations

from bisect import bisect_left
from collections.abc import Iterable

from litwatch.fake_eutils.answers import LoggedRequest


def most_in_window(
    requests: Iterable[LoggedRequest], per: float = 1.0, *, who: str | None = None
) -> int:
    """The largest number of arrivals in any half-open window ``[t, t + per)``; 0 for none.

    Every arrival is counted, whatever was answered (a request refused with 429 still counts).
    """
    times = sorted(r.arrived for r in requests if who is None or r.who == who)
    return max((bisect_left(times, t + per) - i for i, t in enumerate(times)), default=0)


def busiest_windows(
    requests: Iterable[LoggedRequest], limit: int, per: float = 1.0
) -> list[tuple[float, int]]:
    """Each ``(start, count)`` of a window ``[start, start + per)`` holding more than ``limit``
    arrivals, one per start time; empty when the limit held."""
    times = sorted(r.arrived for r in requests)
    found = []
    for i, t in enumerate(times):
        count = bisect_left(times, t + per) - i
        if count > limit:
            found.append((t, count))
    return found
