"""The rate limiter's slots, driven by a fake clock: the limit holds at the server's end."""

from __future__ import annotations

import threading
from bisect import bisect_left

import pytest
from hypothesis import given, settings
from hypothesis import strategies as st

from litwatch.eutils.ratelimit import MemoryBudget, RateLimiter, shared_limiter


class FakeClock:
    """A clock that only moves when someone sleeps on it (or a test moves it)."""

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


def limiter_on(clock: FakeClock, rate: float, margin: float = 0.0) -> RateLimiter:
    return RateLimiter(rate, clock=clock, sleep=clock.sleep, margin=margin)


def test_thirty_quick_requests_never_exceed_three_per_second() -> None:
    clock = FakeClock()
    limiter = limiter_on(clock, 3)
    times = []
    for _ in range(30):
        with limiter.slot() as permit:
            times.append(permit.granted_at)
    assert most_in_any_window(times, 1.0) == 3
    # The first three go at once, then three per second.
    assert times[:3] == [1000.0] * 3
    assert times[-1] == pytest.approx(1009.0)


def test_the_window_runs_from_the_answer_not_the_grant() -> None:
    clock = FakeClock()
    limiter = limiter_on(clock, 1, margin=0.05)
    with limiter.slot():
        clock.now += 0.7  # a slow exchange
    second = limiter.acquire()
    assert second.granted_at == pytest.approx(1000.0 + 0.7 + 1.05)


@settings(max_examples=200, deadline=None)
@given(
    rate=st.sampled_from([1, 2.5, 3, 10]),
    trips=st.lists(st.tuples(st.floats(0, 0.8), st.floats(0, 0.8)), min_size=1, max_size=40),
)
def test_arrivals_stay_under_the_limit_whatever_the_network_does(
    rate: float, trips: list[tuple[float, float]]
) -> None:
    """Each request spends a random time on the way to the server and another on the way back
    (a reconnect, a slow answer): the arrivals, not the grants, are what must keep the limit."""
    clock = FakeClock()
    limiter = limiter_on(clock, rate)
    arrivals = []
    for up, down in trips:
        with limiter.slot():
            clock.now += up
            arrivals.append(clock.now)
            clock.now += down
    assert most_in_any_window(arrivals, 1.0) <= int(rate)


def test_a_slot_taken_and_never_given_back_comes_free_after_its_hold() -> None:
    clock = FakeClock()
    limiter = RateLimiter(1, clock=clock, sleep=clock.sleep, margin=0.0, hold=30.0)
    lost = limiter.acquire()  # its process "died" mid-request
    again = limiter.acquire()
    assert again.granted_at == pytest.approx(1030.0, abs=0.05)  # looked at every 20 ms
    limiter.release(lost)  # a late release of the old permit must not free the new one
    with limiter.slot() as third:
        pass
    assert third.granted_at >= 1060.0


def test_no_burst_after_idle() -> None:
    clock = FakeClock()
    limiter = limiter_on(clock, 3)
    clock.now += 60  # a long idle spell must not bank extra requests
    times = []
    for _ in range(4):
        with limiter.slot() as permit:
            times.append(permit.granted_at)
    assert times[3] - times[0] == pytest.approx(1.0)


def test_spread_requests_do_not_wait() -> None:
    clock = FakeClock()
    limiter = limiter_on(clock, 3)
    for _ in range(10):
        with limiter.slot():
            pass
        clock.now += 0.34
    assert clock.sleeps == []


def test_fractional_rates_round_down() -> None:
    clock = FakeClock()
    limiter = limiter_on(clock, 2.5)
    times = []
    for _ in range(12):
        with limiter.slot() as permit:
            times.append(permit.granted_at)
    assert most_in_any_window(times, 1.0) <= 2

    clock = FakeClock()
    slow = limiter_on(clock, 0.5)
    times = []
    for _ in range(4):
        with slow.slot() as permit:
            times.append(permit.granted_at)
    assert [b - a for a, b in zip(times, times[1:], strict=False)] == [2.0, 2.0, 2.0]


def test_threads_share_one_budget() -> None:
    clock = FakeClock()
    budget = MemoryBudget(clock)
    # Two limiters on one budget stand for two instances sharing it.
    limiters = [
        RateLimiter(10, clock=clock, sleep=clock.sleep, margin=0.0, budget=budget) for _ in range(2)
    ]
    times: list[float] = []
    lock = threading.Lock()

    def work(limiter: RateLimiter) -> None:
        for _ in range(15):
            with limiter.slot() as permit:
                with lock:
                    times.append(permit.granted_at)

    threads = [threading.Thread(target=work, args=(limiters[i % 2],)) for i in range(8)]
    for t in threads:
        t.start()
    for t in threads:
        t.join(timeout=10)
    assert len(times) == 120
    assert most_in_any_window(times, 1.0) <= 10


def test_bad_rates_are_refused() -> None:
    with pytest.raises(ValueError):
        RateLimiter(0)
    with pytest.raises(ValueError):
        RateLimiter(3, per=0)
    with pytest.raises(ValueError):
        RateLimiter(3, margin=-1)


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
