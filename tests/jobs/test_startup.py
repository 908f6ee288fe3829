"""A service that cannot poll (no contact address for NCBI): it says so once, schedules no
poll, and a stop signalled twice is logged once."""

from __future__ import annotations

import logging
import os
import signal
import threading
import time
from datetime import UTC, datetime

import pytest
from sqlmodel import Session

from litwatch.config import NCBI_EUTILS_URL, load_settings
from litwatch.context import build_context
from litwatch.errors import ConfigError
from litwatch.jobs.scheduler import build_scheduler, sync_poll_jobs
from litwatch.jobs.serve import serve, stop_on_signal
from litwatch.jobs.startup import polling_problem
from litwatch.store.searches import add_search

FAKE_URL = "http://127.0.0.1:9/"


@pytest.mark.parametrize(
    ("email", "url", "can_poll"),
    [
        ("", NCBI_EUTILS_URL, False),
        ("team@example.org", NCBI_EUTILS_URL, True),
        ("", FAKE_URL, True),  # a fake or mirror server needs no address
        ("team@example.org", FAKE_URL, True),
    ],
)
def test_the_start_up_check_agrees_with_the_client(
    migrated_sqlite_url: str, email: str, url: str, can_poll: bool
) -> None:
    settings = load_settings(database_url=migrated_sqlite_url, ncbi_email=email, eutils_url=url)
    problem = polling_problem(settings)
    ctx = build_context(settings)
    try:
        if can_poll:
            assert problem is None
            assert ctx.eutils is not None  # builds: nothing is sent
        else:
            assert problem is not None and "LITWATCH_NCBI_EMAIL" in problem
            with pytest.raises(ConfigError, match="LITWATCH_NCBI_EMAIL"):
                _ = ctx.eutils
    finally:
        ctx.close()


def _context(db_url: str, email: str):  # type: ignore[no-untyped-def]
    settings = load_settings(
        database_url=db_url, ncbi_email=email, eutils_url=NCBI_EUTILS_URL, outbox_dir="outbox"
    )
    ctx = build_context(settings)
    with Session(ctx.engine) as session:
        add_search(session, "skin", "rituximab[tiab]", now=datetime.now(UTC))
        session.commit()
    return ctx


@pytest.mark.parametrize(("email", "polls"), [("", []), ("team@example.org", ["poll:skin"])])
def test_no_poll_is_scheduled_without_an_address(
    migrated_sqlite_url: str, email: str, polls: list[str]
) -> None:
    ctx = _context(migrated_sqlite_url, email)
    try:
        sched = build_scheduler(ctx)
        sync_poll_jobs(sched, ctx)  # the sync thread's pass adds none either
        jobs = sorted(j.id for j in sched.get_jobs())
        assert [j for j in jobs if j.startswith("poll:")] == polls
        assert {"digests", "delivery-retry"} <= set(jobs)  # digests still go out
    finally:
        ctx.close()


def test_a_stop_signalled_twice_is_logged_once(caplog: pytest.LogCaptureFixture) -> None:
    caplog.set_level(logging.DEBUG, logger="litwatch.jobs.serve")
    with stop_on_signal() as stop:
        os.kill(os.getpid(), signal.SIGTERM)
        time.sleep(0.05)  # the handler runs between the two
        assert stop.is_set()
        os.kill(os.getpid(), signal.SIGTERM)
        time.sleep(0.05)
    infos = [r.getMessage() for r in caplog.records if r.levelno >= logging.INFO]
    assert infos.count("signal SIGTERM received") == 1
    assert any("already stopping" in r.getMessage() for r in caplog.records)


def test_serve_without_an_address_says_it_once(
    migrated_sqlite_url: str,
    tmp_path,  # type: ignore[no-untyped-def]
    monkeypatch: pytest.MonkeyPatch,
    caplog: pytest.LogCaptureFixture,
) -> None:
    """The real serve loop, stopped by a real SIGTERM: one ERROR, at start, naming the
    setting; no poll job ever runs, so none is reported as done."""
    monkeypatch.chdir(tmp_path)
    caplog.set_level(logging.INFO)
    caplog.set_level(logging.INFO, logger="apscheduler")  # the CLI quiets it; hear it here
    ctx = _context(migrated_sqlite_url, "")

    # Stop once the scheduler has started (the digest job runs at start, then we signal).
    def stop_when_started() -> None:
        deadline = time.monotonic() + 30
        while time.monotonic() < deadline:
            if any(r.getMessage().startswith("scheduler started") for r in list(caplog.records)):
                break
            time.sleep(0.05)
        time.sleep(0.3)
        os.kill(os.getpid(), signal.SIGTERM)

    threading.Thread(target=stop_when_started, daemon=True).start()
    try:
        serve(ctx)
    finally:
        ctx.close()
    errors = [r for r in caplog.records if r.levelno >= logging.ERROR]
    assert len(errors) == 1 and "LITWATCH_NCBI_EMAIL" in errors[0].getMessage()
    assert errors[0].name == "litwatch.jobs.serve"
    messages = [r.getMessage() for r in caplog.records]
    scheduler_lines = [r.getMessage() for r in caplog.records if r.name.startswith("apscheduler")]
    assert scheduler_lines and not any("poll" in m for m in scheduler_lines)
    started = next(m for m in messages if m.startswith("scheduler started"))
    assert "poll:" not in started and "digests" in started
    assert messages.count("signal SIGTERM received") == 1 and messages[-1] == "stopped"
