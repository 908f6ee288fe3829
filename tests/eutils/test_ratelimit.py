"""The sliding-window limiter, driven by a fake clock."""

from __future__ import annotations

import threading
from bisect import bisect_left

import pytest

from litwatch.eutils.ratelimit import RateLimiter, shared_limiter


class FakeClock:
    """A clock that only moves when someone sleeps on it."""

    def __init__(self, start: float = 1000.0) -> None:
        self.now = start
        self.sleeps: list[float] = []
        self._lock = threading.Lock()

    def __call__(self) -> float:
        return self.now

    def sleep(self, seconds: float) -> None:
        assert seconds >= 0
        with self._lock:
            self.sleeps.append(seconds)
            self.now += seconds


def most_in_any_window(times: list[float], per: float) -> int:
    """The largest number of times falling in one half-open window [t, t + per)."""
    ordered = sorted(times)
    return max(bisect_left(ordered, t + per) - i for i, t in enumerate(ordered))


def test_thirty_acquires_never_exceed_three_per_second() -> None:
    clock = FakeClock()
    limiter = RateLimiter(3, clock=clock, sleep=clock.sleep)
    times = [limiter.acquire() for _ in range(30)]
    assert most_in_any_window(times, 1.0) == 3
    # Sliding window, not a bucket: the first three go at once, then three per second.
    assert times[:3] == [1000.0] * 3
    assert times[-1] == pytest.approx(1009.0)


def test_no_burst_of_rate_plus_one_after_idle() -> None:
    clock = FakeClock()
    limiter = RateLimiter(3, clock=clock, sleep=clock.sleep)
    clock.now += 60  # a long idle spell must not bank extra requests
    times = [limiter.acquire() for _ in range(4)]
    assert times[3] - times[0] == pytest.approx(1.0)


def test_spread_requests_do_not_wait() -> None:
    clock = FakeClock()
    limiter = RateLimiter(3, clock=clock, sleep=clock.sleep)
    for _ in range(10):
        limiter.acquire()
        clock.now += 0.34
    assert clock.sleeps == []


def test_fractional_rates_round_down() -> None:
    clock = FakeClock()
    limiter = RateLimiter(2.5, clock=clock, sleep=clock.sleep)
    times = [limiter.acquire() for _ in range(12)]
    assert most_in_any_window(times, 1.0) <= 2

    clock = FakeClock()
    slow = RateLimiter(0.5, clock=clock, sleep=clock.sleep)
    times = [slow.acquire() for _ in range(4)]
    assert [b - a for a, b in zip(times, times[1:], strict=False)] == [2.0, 2.0, 2.0]


def test_threads_share_one_window() -> None:
    clock = FakeClock()
    limiter = RateLimiter(10, clock=clock, sleep=clock.sleep)
    times: list[float] = []
    lock = threading.Lock()

    def work() -> None:
        for _ in range(15):
            granted = limiter.acquire()
            with lock:
                times.append(granted)

    threads = [threading.Thread(target=work) for _ in range(8)]
    for t in threads:
        t.start()
    for t in threads:
        t.join(timeout=10)
    assert len(times) == 120
    assert most_in_any_window(times, 1.0) == 10
    assert max(times) - min(times) == pytest.approx(11.0)


def test_bad_rates_are_refused() -> None:
    with pytest.raises(ValueError):
        RateLimiter(0)
    with pytest.raises(ValueError):
        RateLimiter(3, per=0)


def test_shared_limiter_is_one_per_rate() -> None:
    assert shared_limiter(3.0) is shared_limiter(3.0)
    assert shared_limiter(3.0) is not shared_limiter(10.0)

    found: list[RateLimiter] = []
    threads = [threading.Thread(target=lambda: found.append(shared_limiter(7.5))) for _ in range(8)]
    for t in threads:
        t.start()
    for t in threads:
        t.join(timeout=10)
    assert len({id(x) for x in found}) == 1
