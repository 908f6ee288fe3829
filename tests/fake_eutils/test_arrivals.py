"""The fake server counts arrivals per sliding one-second window, by whom NCBI would count."""

from __future__ import annotations

import httpx

from litwatch.fake_eutils.arrivals import busiest_windows, most_in_window
from litwatch.fake_eutils.corpus import Corpus
from litwatch.fake_eutils.eutils import FakeEutils
from litwatch.fake_eutils.server import running_server

IDENTITY = {"tool": "litwatch", "email": "t@example.org"}


class StepClock:
    def __init__(self) -> None:
        self.now = 100.0

    def __call__(self) -> float:
        return self.now


def ask(fake: FakeEutils, clock: StepClock, at: float, **params: str) -> int:
    clock.now = at
    reply = fake.handle("GET", "/esearch.fcgi", {"term": "x", **IDENTITY, **params}, "10.0.0.1")
    return reply.status


def test_arrivals_are_logged_on_the_server_clock_and_counted_per_window() -> None:
    clock = StepClock()
    fake = FakeEutils(Corpus(), clock=clock, rate_limit=False)
    for at in (100.0, 100.4, 100.9, 101.0, 101.3):
        ask(fake, clock, at)
    assert [r.arrived for r in fake.requests] == [100.0, 100.4, 100.9, 101.0, 101.3]
    # [100.4, 101.4) holds four; a window is half-open, so 100.0 and 101.0 never share one.
    assert most_in_window(fake.requests) == 4
    assert busiest_windows(fake.requests, 3) == [(100.4, 4)]
    assert most_in_window([]) == 0


def test_counted_by_key_else_by_address() -> None:
    clock = StepClock()
    fake = FakeEutils(Corpus(), clock=clock, rate_limit=False)
    ask(fake, clock, 100.0, api_key="a")
    ask(fake, clock, 100.1, api_key="a")
    ask(fake, clock, 100.2)
    assert most_in_window(fake.requests, who="a") == 2
    assert most_in_window(fake.requests, who="10.0.0.1") == 1


def test_refused_requests_count_too() -> None:
    clock = StepClock()
    fake = FakeEutils(Corpus(), clock=clock, limit_without_key=3)
    statuses = [ask(fake, clock, 100.0 + i / 10) for i in range(5)]
    assert statuses == [200, 200, 200, 429, 429]
    assert most_in_window(fake.requests) == 5  # NCBI counts what arrives, answered or not


def test_arrivals_over_http_are_logged_as_they_come() -> None:
    fake = FakeEutils(Corpus(), rate_limit=False)
    with running_server(fake) as base, httpx.Client() as http:
        for _ in range(3):
            http.get(base + "esearch.fcgi", params={"term": "x", **IDENTITY})
    times = [r.arrived for r in fake.requests]
    assert len(times) == 3 and times == sorted(times) and times[0] > 0
