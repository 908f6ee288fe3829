"""What is due (pure), and the scheduler firing real jobs and stopping cleanly."""

from __future__ import annotations

import threading
from datetime import UTC, date, datetime, timedelta

import pytest
from apscheduler.events import EVENT_JOB_ERROR, EVENT_JOB_EXECUTED, JobExecutionEvent
from sqlmodel import Session, select

from litwatch.errors import ConfigError
from litwatch.fake_eutils.corpus import Corpus
from litwatch.jobs.due import digest_due, digest_slot, next_digest_at, poll_due
from litwatch.jobs.scheduler import build_scheduler, sync_poll_jobs
from litwatch.jobs.schedules import parse_schedule, schedule_interval
from litwatch.store.searches import add_search, get_search, remove_search
from litwatch.store.tables import PollRun
from tests.helpers.e2e import Clock, fake_eutils, make_context
from tests.helpers.synthetic_records import TOPIC_QUERY, make_records

T = datetime(2026, 11, 25, 10, 0, tzinfo=UTC)  # a Wednesday


@pytest.mark.parametrize(
    ("schedule", "last", "due"),
    [
        ("every 6h", None, True),
        ("every 6h", T - timedelta(hours=5), False),
        ("every 6h", T - timedelta(hours=6), True),
        ("every 30m", T - timedelta(minutes=31), True),
        ("0 */6 * * *", T - timedelta(hours=5), True),  # 06:00 came round since 05:00
        ("0 */6 * * *", T - timedelta(minutes=30), False),  # next is 12:00
        ("0 9 * * mon", T - timedelta(days=1), False),
        ("0 9 * * mon", T - timedelta(days=3), True),
    ],
)
def test_poll_due(schedule: str, last: datetime | None, due: bool) -> None:
    assert poll_due(schedule, last, T) is due


@pytest.mark.parametrize("bad", ["often", "every 0h", "61 * * * *", "every 6 fortnights"])
def test_bad_schedules_are_refused(bad: str) -> None:
    with pytest.raises(ConfigError, match="schedule"):
        parse_schedule(bad, "schedule")


def test_schedule_interval() -> None:
    assert schedule_interval("every 6h") == timedelta(hours=6)
    assert schedule_interval("*/5 * * * *") is None


def test_digest_slots_daily_weekly_and_timezone() -> None:
    assert digest_slot("daily", T) == datetime(2026, 11, 25, 7, 0, tzinfo=UTC)
    early = datetime(2026, 11, 25, 6, 0, tzinfo=UTC)
    assert digest_slot("daily", early) == datetime(2026, 11, 24, 7, 0, tzinfo=UTC)
    assert digest_slot("weekly", T) == datetime(2026, 11, 23, 7, 0, tzinfo=UTC)  # Monday
    paris = digest_slot("daily", T, tz="Europe/Paris")
    assert paris == datetime(2026, 11, 25, 6, 0, tzinfo=UTC)  # 07:00 in Paris, winter
    summer = digest_slot("daily", datetime(2026, 7, 1, 12, 0, tzinfo=UTC), tz="Europe/Paris")
    assert summer == datetime(2026, 7, 1, 5, 0, tzinfo=UTC)


def test_next_digest_is_the_next_slot_or_now() -> None:
    created = T - timedelta(days=3)
    # Sent at this morning's slot: the next daily one is tomorrow's, weekly next Monday's.
    sent = datetime(2026, 11, 25, 7, 0, tzinfo=UTC)
    assert next_digest_at("daily", sent, created, T) == datetime(2026, 11, 26, 7, 0, tzinfo=UTC)
    weekly = next_digest_at("weekly", T - timedelta(hours=1), created, T)
    assert weekly == datetime(2026, 11, 30, 7, 0, tzinfo=UTC)
    assert next_digest_at("daily", None, created, T) == T  # due already
    # The wall-clock hour holds across a change of summer time (Paris, 25 Oct 2026).
    before = datetime(2026, 10, 24, 12, 0, tzinfo=UTC)
    paris = next_digest_at("daily", before, created, before, at="07:00", tz="Europe/Paris")
    assert paris == datetime(2026, 10, 25, 6, 0, tzinfo=UTC)


def test_digest_due_once_per_slot() -> None:
    created = T - timedelta(days=3)
    slot = digest_due("daily", None, created, T)
    assert slot == datetime(2026, 11, 25, 7, 0, tzinfo=UTC)
    assert digest_due("daily", T - timedelta(minutes=1), created, T) is None
    assert digest_due("daily", T - timedelta(hours=4), created, T) is not None
    # Subscribed after this morning's slot: the first digest is tomorrow's.
    assert digest_due("daily", None, T - timedelta(hours=1), T) is None


def test_scheduler_polls_an_overdue_search_at_start_and_stops_cleanly(
    migrated_sqlite_url: str,
) -> None:
    corpus = Corpus()
    corpus.add_records(make_records(60, start_pmid=70_000_001, crdt_start=date(2026, 10, 1)))
    clock = Clock(T)
    with fake_eutils(corpus) as (_, base_url):
        ctx = make_context(migrated_sqlite_url, base_url, clock)
        with Session(ctx.engine) as s:
            add_search(s, "due", TOPIC_QUERY, now=T, schedule="every 6h")
            add_search(s, "done", TOPIC_QUERY + " AND 1999[dp]", now=T, schedule="every 6h")
            s.commit()
            done = get_search(s, "done")
            done.last_success_at = T - timedelta(hours=1)
            s.add(done)
            s.commit()
        sched = build_scheduler(ctx)
        ran = threading.Event()
        errors: list[BaseException] = []

        def listener(event: JobExecutionEvent) -> None:
            if event.exception is not None:
                errors.append(event.exception)
            if event.job_id == "poll:due":
                ran.set()

        sched.add_listener(listener, EVENT_JOB_EXECUTED | EVENT_JOB_ERROR)
        jobs = {j.id: j for j in sched.get_jobs()}
        assert {"poll:due", "poll:done", "digests", "delivery-retry"} <= set(jobs)
        assert jobs["poll:due"].max_instances == 1 and jobs["poll:due"].coalesce
        sched.start()
        try:
            assert ran.wait(60), "the overdue poll did not run"
        finally:
            sched.shutdown(wait=True)
        assert not sched.running and errors == []
        with Session(ctx.engine) as s:
            runs = s.exec(select(PollRun)).all()
            assert [(r.search_id, r.status, r.new) for r in runs] == [
                (get_search(s, "due").id, "ok", 60)
            ]
            # The poll stored articles: each finding's table is read and kept for the pages.
            findings = [f.id for f in ctx.knowledge_base.findings]
            assert ctx.evidence_cache.reads == len(findings)
            for finding_id in findings:
                ctx.evidence_cache.table(s, finding_id)
            assert ctx.evidence_cache.reads == len(findings)
        ctx.close()


def test_sync_picks_up_added_and_removed_searches(migrated_sqlite_url: str) -> None:
    clock = Clock(T)
    ctx = make_context(migrated_sqlite_url, "http://127.0.0.1:9/", clock)
    sched = build_scheduler(ctx, jobs=False)
    with Session(ctx.engine) as s:
        add_search(s, "a", "x", now=T, schedule="every 2h")
        s.commit()
    sync_poll_jobs(sched, ctx)
    assert [j.id for j in sched.get_jobs()] == ["poll:a"]
    with Session(ctx.engine) as s:
        add_search(s, "b", "y", now=T, schedule="30 5 * * *")
        remove_search(s, "a")
        s.commit()
    sync_poll_jobs(sched, ctx)
    assert [j.id for j in sched.get_jobs()] == ["poll:b"]
    ctx.close()
