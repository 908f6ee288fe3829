"""The request-rate limit, counted the way the server counts: by arrivals in any one second.

The client cannot see when a request reaches NCBI, only that it arrives somewhere between the
moment it was sent and the moment its answer came back. So a limit of ``rate`` per second is
kept as ``rate`` *slots*: a request takes a free slot before it is sent and holds it until it
is answered, and the slot comes free again one window (plus a margin) after that answer.

Why that holds at the server whatever the network does: take any ``rate + 1`` requests. Two of
them used the same slot, say X and then Y; Y was sent no earlier than one window after X was
answered. X arrived before it was answered and Y after it was sent, so Y arrived at least one
window after X: the two cannot share a one-second window, and no window holds more than
``rate`` arrivals, however late or early each one travelled. A request held up on a slow
reconnect only delays the slot's release; nothing is ever counted from a grant time.

The slots live in a :class:`Budget`: :class:`MemoryBudget` for one process, or the database's
(``litwatch.store.rate_budget``) so that every instance with the same key draws from one.
A slot taken by a process that died before releasing it is free again after ``hold`` seconds,
a bound on how long a request can take to arrive.
"""

from __future__ import annotations

import math
import threading
import time
from collections.abc import Callable, Iterator
from contextlib import contextmanager
from dataclasses import dataclass
from typing import Protocol

Clock = Callable[[], float]
Sleep = Callable[[float], None]

# Slack on every window, for clocks that tick at slightly different rates, a server that
# counts a window as closed or open at its edge, and a busy server that stamps an arrival a
# little after it came in (50 ms proved too little on a loaded machine).
DEFAULT_MARGIN = 0.1
# How long a taken slot stays taken if its holder never gives it back (a crash mid-request).
DEFAULT_HOLD = 120.0
# How often a waiter looks again while every slot is held by a request still in flight.
POLL_SECONDS = 0.02


@dataclass(frozen=True)
class Permit:
    """One slot taken for one request; ``granted_at`` is the budget's clock when it was taken."""

    slot: int
    generation: int
    granted_at: float


class Budget(Protocol):
    """Where the slots of one rate limit are kept."""

    def take(self, slots: int, hold: float) -> Permit | float:
        """Take a free slot among the first ``slots`` for ``hold`` seconds, or say how many
        seconds until one may come free (``POLL_SECONDS`` when all are in flight)."""
        ...

    def free(self, permit: Permit, after: float) -> None:
        """The permit's request is answered: its slot comes free ``after`` seconds from now."""
        ...


class MemoryBudget:
    """Slots in this process's memory, on ``clock``."""

    def __init__(self, clock: Clock = time.monotonic) -> None:
        self._clock = clock
        self._free_at: dict[int, float] = {}
        self._generation: dict[int, int] = {}
        self._in_flight: set[int] = set()
        self._lock = threading.Lock()

    def take(self, slots: int, hold: float) -> Permit | float:
        with self._lock:
            now = self._clock()
            slot = min(range(slots), key=lambda s: self._free_at.get(s, -math.inf))
            free_at = self._free_at.get(slot, -math.inf)
            if free_at > now:
                return POLL_SECONDS if slot in self._in_flight else free_at - now
            generation = self._generation.get(slot, 0) + 1
            self._generation[slot] = generation
            self._free_at[slot] = now + hold
            self._in_flight.add(slot)
            return Permit(slot, generation, now)

    def free(self, permit: Permit, after: float) -> None:
        with self._lock:
            if self._generation.get(permit.slot) != permit.generation:
                return  # the slot outlived its hold and was taken again: leave it
            self._free_at[permit.slot] = self._clock() + after
            self._in_flight.discard(permit.slot)


class RateLimiter:
    """At most ``rate`` arrivals at the server in any ``per`` seconds; safe across threads."""

    def __init__(
        self,
        rate: float,
        per: float = 1.0,
        clock: Clock = time.monotonic,
        sleep: Sleep = time.sleep,
        *,
        budget: Budget | None = None,
        margin: float = DEFAULT_MARGIN,
        hold: float = DEFAULT_HOLD,
    ) -> None:
        if rate <= 0 or per <= 0:
            raise ValueError(f"rate and per must be positive (rate={rate}, per={per})")
        if margin < 0 or hold <= 0:
            raise ValueError(f"margin must be >= 0 and hold > 0 (margin={margin}, hold={hold})")
        self.rate = rate
        self.per = per
        # A fractional rate is kept as whole requests over a longer window, never rounded up:
        # 2.5/s becomes 2 per second, 0.5/s becomes 1 per two seconds.
        if rate >= 1:
            self.capacity = math.floor(rate)
            self.window = per
        else:
            self.capacity = 1
            self.window = per / rate
        self.margin = margin
        self.hold = max(hold, self.window + margin)
        self.budget: Budget = budget if budget is not None else MemoryBudget(clock)
        self._sleep = sleep
        self._lock = threading.Lock()

    def acquire(self) -> Permit:
        """Block until a slot is free and take it; give it back with :meth:`release`."""
        # Waiting with the lock held is deliberate: this process's threads queue on the lock
        # and ask the budget one at a time, rather than all polling it together.
        with self._lock:
            while True:
                got = self.budget.take(self.capacity, self.hold)
                if isinstance(got, Permit):
                    return got
                self._sleep(max(got, 0.0))

    def release(self, permit: Permit) -> None:
        """The request is answered (or failed): its slot is free one window from now."""
        self.budget.free(permit, self.window + self.margin)

    @contextmanager
    def slot(self) -> Iterator[Permit]:
        """Hold a slot for the ``with`` block: send the request and read its answer inside."""
        permit = self.acquire()
        try:
            yield permit
        finally:
            self.release(permit)


_registry: dict[float, RateLimiter] = {}
_registry_lock = threading.Lock()


def shared_limiter(rate: float) -> RateLimiter:
    """The process-wide in-memory limiter for ``rate`` requests per second, made on first use."""
    with _registry_lock:
        limiter = _registry.get(rate)
        if limiter is None:
            limiter = _registry[rate] = RateLimiter(rate)
        return limiter
