"""Job locks held by a real second process: refused while it lives (the holder named, the CLI
exiting non-zero), taken over at once when it is SIGKILLed (its run marked abandoned), and on
SQLite a lease that runs out unless renewed, with the clock passed in."""

from __future__ import annotations

import os
import signal
import socket
import subprocess
import sys
import time
from collections.abc import Iterator
from datetime import timedelta
from pathlib import Path

import pytest
from sqlmodel import Session, select

from litwatch.jobs.digest_run import run_digests
from litwatch.jobs.locks import job_lock
from litwatch.jobs.poll import poll_search
from litwatch.store.engine import make_engine
from litwatch.store.leases import LeaseHolder, create_lease
from litwatch.store.searches import add_search
from litwatch.store.tables import JobRun, PollRun
from tests.helpers.e2e import NOW, Clock, fake_eutils, make_context
from tests.helpers.synthetic_records import TOPIC_QUERY
from tests.jobs.test_poll import corpus_of

ROOT = Path(__file__).resolve().parents[2]
HOST = socket.gethostname()


def child_env(db_url: str, eutils_url: str = "http://127.0.0.1:9/") -> dict[str, str]:
    env = {k: v for k, v in os.environ.items() if not k.startswith("LITWATCH_")}
    env.update(
        PYTHONPATH=str(ROOT),
        LITWATCH_DATABASE_URL=db_url,
        LITWATCH_EUTILS_URL=eutils_url,
        LITWATCH_NCBI_EMAIL="locks@example.org",
        LITWATCH_NCBI_API_KEY="test-key",
        LITWATCH_SECRET_KEY="s3cret",
    )
    return env


def hold(db_url: str, name: str, *extra: str) -> subprocess.Popen[str]:
    """Start a process that takes the lock ``name`` and keeps it; wait until it has it."""
    proc = subprocess.Popen(
        [sys.executable, "-m", "tests.helpers.lock_holder", db_url, name, *extra],
        env=child_env(db_url),
        cwd=ROOT,
        stdout=subprocess.PIPE,
        text=True,
    )
    assert proc.stdout is not None
    assert proc.stdout.readline().strip() == "held"
    return proc


def kill(proc: subprocess.Popen[str]) -> None:
    proc.send_signal(signal.SIGKILL)
    proc.wait(timeout=10)
    if proc.stdout is not None:
        proc.stdout.close()


@pytest.fixture
def world(migrated_db_url: str) -> Iterator[tuple]:  # type: ignore[type-arg]
    clock = Clock()
    with fake_eutils(corpus_of(60)) as (fake, base_url):
        ctx = make_context(migrated_db_url, base_url, clock)
        with Session(ctx.engine) as s:
            add_search(s, "topic", TOPIC_QUERY, now=clock())
            s.commit()
        yield ctx, migrated_db_url
        ctx.close()


def test_a_live_holder_in_another_process_is_named(world) -> None:  # type: ignore[no-untyped-def]
    ctx, url = world
    holder = hold(url, "poll:topic")
    try:
        with job_lock(ctx.engine, "poll:topic", clock=ctx.now) as lease:
            assert not lease
            assert lease.held_by().startswith(f"{HOST} pid {holder.pid} since ")
        summary = poll_search(ctx, "topic")
        assert summary.status == "skipped"
        assert f"pid {holder.pid}" in summary.held_by and summary.held_by in summary.error
        with Session(ctx.engine) as s:
            assert s.exec(select(PollRun)).all() == []  # nothing ran
    finally:
        kill(holder)


def run_cli(url: str, *args: str) -> subprocess.CompletedProcess[str]:
    return subprocess.run(
        [sys.executable, "-m", "litwatch.cli", *args],
        env=child_env(url),
        cwd=ROOT,
        capture_output=True,
        text=True,
        timeout=120,
    )


@pytest.mark.slow
def test_the_cli_exits_non_zero_when_another_run_holds_the_lock(world) -> None:  # type: ignore[no-untyped-def]
    _, url = world
    holder = hold(url, "poll:topic")
    try:
        done = run_cli(url, "poll", "--search", "topic")
        assert done.returncode == 75, done.stdout + done.stderr
        assert f"{HOST} pid {holder.pid} since" in done.stdout + done.stderr
    finally:
        kill(holder)
    holder = hold(url, "digests")
    try:
        done = run_cli(url, "digest", "send")
        assert done.returncode == 75, done.stdout + done.stderr
        assert f"{HOST} pid {holder.pid} since" in done.stderr
    finally:
        kill(holder)


def until_granted(ctx, attempt):  # type: ignore[no-untyped-def]
    """SQLite must grant at once; PostgreSQL may take a moment to see the connection close."""
    tries = 1 if ctx.engine.dialect.name == "sqlite" else 50
    for _ in range(tries):
        result = attempt()
        if getattr(result, "status", "") != "skipped" and not getattr(result, "skipped", ""):
            return result
        time.sleep(0.1)
    return result


def test_a_sigkilled_poll_is_taken_over_at_once(world) -> None:  # type: ignore[no-untyped-def]
    ctx, url = world
    holder = hold(url, "poll:topic", "--poll-run", "topic")
    kill(holder)
    summary = until_granted(ctx, lambda: poll_search(ctx, "topic"))
    assert summary.status == "ok", summary.error
    assert summary.new == 60
    with Session(ctx.engine) as s:
        runs = sorted(s.exec(select(PollRun)).all(), key=lambda r: r.id)
    assert [r.status for r in runs] == ["abandoned", "ok"]
    assert runs[0].error.startswith("abandoned: ")
    assert f"{HOST} pid {holder.pid} since" in runs[0].error
    gone = "process is gone" if url.startswith("sqlite") else "database session ended"
    assert gone in runs[0].error


def test_a_sigkilled_digest_run_is_taken_over_at_once(world) -> None:  # type: ignore[no-untyped-def]
    ctx, url = world
    holder = hold(url, "digests", "--digest-run")
    kill(holder)
    result = until_granted(ctx, lambda: run_digests(ctx))
    assert not result.skipped
    with Session(ctx.engine) as s:
        runs = sorted(s.exec(select(JobRun)).all(), key=lambda r: r.id)
    assert [r.status for r in runs] == ["abandoned", "ok"]
    assert f"pid {holder.pid}" in runs[0].error
    assert runs[1].finished_at is not None and runs[1].counts["created"] == 0


def foreign(now, ttl=timedelta(seconds=60)) -> LeaseHolder:  # type: ignore[no-untyped-def]
    """A holding by a process on another host, whose life this host cannot see."""
    return LeaseHolder("elsewhere:1:x", "elsewhere", 1, None, now, now + ttl)


def test_a_lease_runs_out_by_the_clock_passed_in(migrated_sqlite_url: str) -> None:
    engine = make_engine(migrated_sqlite_url)
    with Session(engine) as s:
        assert create_lease(s, "poll:x", foreign(NOW))
        s.commit()
    with job_lock(engine, "poll:x", clock=lambda: NOW + timedelta(seconds=59)) as lease:
        assert not lease
        assert lease.held_by() == "elsewhere pid 1 since 2026-11-25 10:00:00 UTC"
    with job_lock(engine, "poll:x", clock=lambda: NOW + timedelta(seconds=61)) as lease:
        assert lease and "ran out at 2026-11-25 10:01:00 UTC" in lease.took_over
        assert "elsewhere pid 1" in lease.took_over
    engine.dispose()


def test_renewal_keeps_a_long_runs_lease(migrated_sqlite_url: str) -> None:
    engine = make_engine(migrated_sqlite_url)
    clock = Clock()
    with job_lock(engine, "poll:x", clock=clock, renew_every=0.01) as held:
        assert held
        for _ in range(10):  # ten minutes of the run, the TTL ten times over
            clock.now += timedelta(seconds=60)
            time.sleep(0.05)  # room for a beat: each step alone would let the lease run out
            with job_lock(engine, "poll:x", clock=clock) as rival:
                assert not rival
        assert not held.lost.is_set()
    # Without renewal the same run loses its lease once the TTL has passed.
    clock = Clock()
    with job_lock(engine, "poll:x", clock=clock, renew_every=3600) as held:
        clock.now += timedelta(seconds=61)
        with job_lock(engine, "poll:x", clock=clock) as rival:
            assert rival and "ran out" in rival.took_over
    engine.dispose()


def test_a_holder_whose_lease_was_taken_knows_it(migrated_sqlite_url: str) -> None:
    engine = make_engine(migrated_sqlite_url)
    with job_lock(engine, "poll:x", clock=Clock(), renew_every=0.02) as held:
        later = NOW + timedelta(hours=1)  # a rival whose clock says the lease ran out
        with job_lock(engine, "poll:x", clock=lambda: later) as rival:
            assert rival
            assert held.lost.wait(5)
    engine.dispose()


@pytest.mark.slow
def test_a_renewing_process_keeps_its_lease_past_the_ttl(migrated_sqlite_url: str) -> None:
    holder = hold(migrated_sqlite_url, "poll:x", "--ttl", "1", "--renew", "0.1")
    engine = make_engine(migrated_sqlite_url)
    try:
        time.sleep(2.5)  # the TTL more than twice over, on the wall clock both sides use
        with job_lock(engine, "poll:x") as rival:
            assert not rival and f"pid {holder.pid}" in rival.held_by()
    finally:
        kill(holder)
    with job_lock(engine, "poll:x") as rival:
        assert rival and "process is gone" in rival.took_over
    engine.dispose()


def test_a_reused_pid_is_not_taken_for_the_holder(migrated_sqlite_url: str) -> None:
    engine = make_engine(migrated_sqlite_url)
    later = NOW + timedelta(days=3650)  # the lease stands by the clock
    # This host, a PID that runs (ours), but a process that started at another time.
    dead = LeaseHolder(f"{HOST}:{os.getpid()}:x", HOST, os.getpid(), NOW, NOW, later)
    with Session(engine) as s:
        assert create_lease(s, "poll:x", dead)
        s.commit()
    with job_lock(engine, "poll:x", clock=lambda: NOW) as lease:
        assert lease and "process is gone" in lease.took_over
    engine.dispose()
