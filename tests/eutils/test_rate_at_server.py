"""The rate limit as the server sees it: arrivals counted at the fake E-utilities server.

Under injected faults (429, 5xx, truncated and slow answers, retried at once) and requests
held up at random on their way out, no one-second window at the server may hold more than
the limit: for one poll, and for several processes sharing one budget.
"""

from __future__ import annotations

import random
import subprocess
import sys
import time
from collections.abc import Iterator
from contextlib import ExitStack
from datetime import date
from pathlib import Path

import httpx
import pytest
from sqlalchemy import Engine
from sqlmodel import Session

from litwatch.eutils.ratelimit import RateLimiter
from litwatch.fake_eutils.arrivals import busiest_windows, most_in_window
from litwatch.fake_eutils.corpus import Corpus
from litwatch.jobs.live_search import search_live
from litwatch.jobs.poll import poll_search
from litwatch.store.engine import make_engine
from litwatch.store.rate_budget import DatabaseBudget, budget_engine
from litwatch.store.searches import add_search
from tests.helpers.e2e import Clock, fake_eutils, make_context
from tests.helpers.paths import REPO
from tests.helpers.rate_worker import DelayedTransport
from tests.helpers.synthetic_records import TOPIC_QUERY, make_records

FAULTS = {"error_rate": 0.15, "throttle_rate": 0.05, "truncate_rate": 0.1, "slow_ms": 20}


@pytest.fixture
def budget_db(migrated_db_url: str) -> Iterator[Engine]:
    """Where a store at ``migrated_db_url`` keeps its budget (its sidecar file on SQLite)."""
    store = make_engine(migrated_db_url)
    engine = budget_engine(store)
    assert engine is not None
    yield engine
    engine.dispose()
    store.dispose()


def test_a_poll_under_faults_keeps_the_limit_at_the_server(migrated_sqlite_url: str) -> None:
    # On SQLite only, to keep the fast suite fast; PostgreSQL's budget is tried below.
    corpus = Corpus()
    corpus.add_records(
        make_records(120, start_pmid=73_000_001, crdt_start=date(2026, 10, 1), per_day=8)
    )
    with fake_eutils(corpus, seed=3, **FAULTS) as (fake, base_url):
        # No key: three a second, the limit a sequential poll can reach.
        ctx = make_context(migrated_sqlite_url, base_url, Clock(), eutils_max_tries=12,
                           eutils_batch_size=20, ncbi_api_key=None)  # fmt: skip
        ctx.http.close()
        ctx.http = httpx.Client(transport=DelayedTransport(0.3, seed=5))
        ctx.eutils._sleep = lambda s: None  # type: ignore[attr-defined]  # retry at once
        with Session(ctx.engine) as s:
            add_search(s, "topic", TOPIC_QUERY, now=Clock()())
            s.commit()
        summary = poll_search(ctx, "topic")
        ctx.close()
    assert summary.status == "ok", summary.error
    assert summary.new == 120
    served = fake.requests
    assert {r.status for r in served} & {429, 500, 502, 503}  # the faults really happened
    assert len(served) > 6  # more than two windows' worth
    assert busiest_windows(served, 3) == []
    assert most_in_window(served, who="127.0.0.1") <= 3


def test_the_budget_hands_each_slot_to_one_taker(budget_db: Engine) -> None:
    a, b = DatabaseBudget(budget_db, "host key:a"), DatabaseBudget(budget_db, "host key:a")
    taken = [a.take(3, hold=60.0), b.take(3, hold=60.0), a.take(3, hold=60.0)]
    assert sorted(p.slot for p in taken) == [0, 1, 2]  # type: ignore[union-attr]
    wait = b.take(3, hold=60.0)
    assert isinstance(wait, float) and 0 < wait < 1  # all in flight: look again soon
    other = DatabaseBudget(budget_db, "host key:b")  # another key has its own slots
    assert not isinstance(other.take(3, hold=60.0), float)

    a.free(taken[0], after=30.0)  # type: ignore[arg-type]
    wait = b.take(3, hold=60.0)
    assert isinstance(wait, float) and 29 < wait <= 30


def test_a_slot_whose_hold_ran_out_is_taken_over(budget_db: Engine) -> None:
    budget = DatabaseBudget(budget_db, "host no key")
    lost = budget.take(1, hold=0.0)  # as if its holder had died long ago
    again = budget.take(1, hold=60.0)
    assert not isinstance(lost, float) and not isinstance(again, float)
    assert again.generation == lost.generation + 1
    budget.free(lost, after=0.0)  # the old holder's late release frees nothing
    assert isinstance(budget.take(1, hold=60.0), float)


def test_racing_instances_never_share_a_slot(budget_db: Engine) -> None:
    import threading

    got: list[tuple[int, int]] = []
    lock = threading.Lock()

    def work() -> None:
        # Four slots, each free again 10 ms after its answer: many takings, little waiting.
        budget = DatabaseBudget(budget_db, "race")
        limiter = RateLimiter(4, per=0.01, budget=budget, margin=0.0, sleep=time.sleep)
        for _ in range(10):
            permit = limiter.acquire()
            with lock:
                got.append((permit.slot, permit.generation))
            limiter.release(permit)

    threads = [threading.Thread(target=work) for _ in range(4)]
    for t in threads:
        t.start()
    for t in threads:
        t.join(timeout=60)
    assert len(got) == 40 == len(set(got))


@pytest.mark.slow
def test_three_processes_sharing_a_budget_keep_the_limit_together(
    migrated_db_url: str, tmp_path: Path
) -> None:
    per_process = 12
    logs = [tmp_path / f"worker-{i}.log" for i in range(3)]
    with ExitStack() as files, fake_eutils(Corpus(), seed=11, **FAULTS) as (fake, base_url):
        workers = [
            subprocess.Popen(
                [
                    sys.executable,
                    "-m",
                    "tests.helpers.rate_worker",
                    base_url,
                    migrated_db_url,
                    str(per_process),
                ],
                cwd=REPO,
                stdin=subprocess.PIPE,
                stdout=subprocess.PIPE,
                stderr=files.enter_context(log.open("w")),
                text=True,
            )  # fmt: skip
            for log in logs
        ]
        try:
            for w, log in zip(workers, logs, strict=True):
                assert w.stdout is not None
                assert w.stdout.readline().strip() == "ready", log.read_text()
            fake.reset_log()
            started = time.monotonic()
            for w in workers:
                assert w.stdin is not None
                w.stdin.write("go\n")
                w.stdin.flush()
            made = [int(w.communicate(timeout=120)[0].strip()) for w in workers]
        finally:
            for w in workers:
                if w.poll() is None:
                    w.kill()
                w.communicate()
    took = time.monotonic() - started
    served = fake.requests
    assert all(m >= per_process + 1 for m in made)  # the warm-up and each search, or more
    assert len(served) >= 3 * per_process
    assert busiest_windows(served, 10) == []
    # Together they used the budget, not three: 36+ requests at 10 a second take 3 s or more.
    assert took >= (len(served) // 10) - 1


def test_busiest_windows_counts_what_the_limit_would() -> None:
    from litwatch.fake_eutils.answers import LoggedRequest

    rng = random.Random(1)
    times = sorted(rng.uniform(0, 5) for _ in range(40))
    log = [LoggedRequest("GET", "esearch.fcgi", {}, "127.0.0.1", arrived=t) for t in times]
    worst = most_in_window(log)
    assert worst == max(sum(1 for u in times if t <= u < t + 1) for t in times)
    assert busiest_windows(log, worst) == []
    assert busiest_windows(log, worst - 1)


def test_the_live_search_draws_from_the_pollers_budget(migrated_sqlite_url: str) -> None:
    """A second context on the same store (as the web app has) waits on slots the first used."""
    with fake_eutils(Corpus()) as (fake, base_url):
        poller = make_context(migrated_sqlite_url, base_url, Clock(), ncbi_api_key=None)
        web = make_context(migrated_sqlite_url, base_url, Clock(), ncbi_api_key=None)
        try:
            for _ in range(3):
                poller.eutils.esearch("rituximab")
            started = time.monotonic()
            search_live(web, "rituximab")
            waited = time.monotonic() - started
        finally:
            poller.close()
            web.close()
    assert poller.eutils.limiter is not web.eutils.limiter
    assert waited > 0.5  # the web's search waited for a slot the poll's requests held
    assert busiest_windows(fake.requests, 3) == []
