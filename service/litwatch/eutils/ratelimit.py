"""A sliding-window rate limiter shared by every E-utilities request in one process.

NCBI counts requests per second per user; a token bucket would let a full bucket plus one
refill through in the same second, so the limiter keeps the times of recent requests and
lets a new one through only when fewer than ``rate`` of them fall in the last ``per`` seconds.
"""

from __future__ import annotations

import math
import threading
import time
from collections import deque
from collections.abc import Callable

Clock = Callable[[], float]
Sleep = Callable[[float], None]


class RateLimiter:
    """At most ``rate`` acquisitions in any window of ``per`` seconds; safe across threads."""

    def __init__(
        self,
        rate: float,
        per: float = 1.0,
        clock: Clock = time.monotonic,
        sleep: Sleep = time.sleep,
    ) -> None:
        if rate <= 0 or per <= 0:
            raise ValueError(f"rate and per must be positive (rate={rate}, per={per})")
        self.rate = rate
        self.per = per
        # A fractional rate is kept as whole requests over a longer window, never rounded up:
        # 2.5/s becomes 2 per second, 0.5/s becomes 1 per two seconds.
        if rate >= 1:
            self._capacity = math.floor(rate)
            self._window = per
        else:
            self._capacity = 1
            self._window = per / rate
        self._clock = clock
        self._sleep = sleep
        self._times: deque[float] = deque()
        self._lock = threading.Lock()

    def acquire(self) -> float:
        """Block until a request may go out; return the clock time it was granted at."""
        # Sleeping with the lock held is deliberate: waiters queue on the lock and are let
        # through one by one, so no thread can slip in between another's wait and its send.
        with self._lock:
            while True:
                now = self._clock()
                while self._times and self._times[0] + self._window <= now:
                    self._times.popleft()
                if len(self._times) < self._capacity:
                    self._times.append(now)
                    return now
                self._sleep(self._times[0] + self._window - now)


_registry: dict[float, RateLimiter] = {}
_registry_lock = threading.Lock()


def shared_limiter(rate: float) -> RateLimiter:
    """The process-wide limiter for ``rate`` requests per second, made on first use."""
    with _registry_lock:
        limiter = _registry.get(rate)
        if limiter is None:
            limiter = _registry[rate] = RateLimiter(rate)
        return limiter
