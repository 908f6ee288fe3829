"""/metrics and /healthz against a real SQLite store seeded with runs, on a clock we move."""

from __future__ import annotations

from collections.abc import Iterator
from contextlib import contextmanager
from datetime import UTC, date, datetime, timedelta
from pathlib import Path

import httpx
import pytest
from fastapi import FastAPI
from prometheus_client.parser import text_string_to_metric_families
from sqlmodel import Session

from litwatch.config import load_settings
from litwatch.context import Context, build_context
from litwatch.digests.subscribers import add_subscriber
from litwatch.eutils.client import EutilsClient
from litwatch.eutils.ratelimit import RateLimiter
from litwatch.fake_eutils.corpus import Corpus
from litwatch.fake_eutils.eutils import FakeEutils
from litwatch.fake_eutils.server import running_server
from litwatch.store.digests import add_digest, mark_not_sent, mark_sent, take_digest
from litwatch.store.runs import finish_job_run, finish_poll_run, start_job_run, start_poll_run
from litwatch.store.searches import add_search, advance_watermark, get_search
from litwatch.web import create_app
from tests.web.test_app import serving

ADDED = datetime(2026, 3, 1, 0, 0, tzinfo=UTC)


class Clock:
    """A clock the test moves."""

    def __init__(self, now: datetime) -> None:
        self.now = now

    def __call__(self) -> datetime:
        return self.now


def make_ctx(url: str, clock: Clock, **settings: object) -> Context:
    settings.setdefault("eutils_url", "http://127.0.0.1:9/")  # nothing listens there
    s = load_settings(database_url=url, ncbi_email="t@example.org", secret_key="s", **settings)
    return build_context(s, clock=clock)


def poll(ctx: Context, name: str, *, at: datetime, status: str = "ok", **counts: int) -> None:
    """Record one poll run of ``name`` at ``at`` as the poll job would."""
    with Session(ctx.engine) as session:
        search = get_search(session, name)
        window = (date(2026, 1, 1), at.date())
        run = start_poll_run(session, search, now=at, window=window)
        finish_poll_run(session, run, status=status, finished_at=at, **counts)
        if status == "ok":
            advance_watermark(session, search, window, now=at)
        session.commit()


def seed(ctx: Context) -> None:
    """Two searches with runs, a digest run, and digests sent, failed, retrying and queued."""
    with Session(ctx.engine) as session:
        add_search(session, "ssc", "rituximab AND scleroderma", now=ADDED)
        add_search(session, "hourly", "rituximab", now=ADDED, schedule="every 1h")
        add_search(session, "cron", "scleroderma", now=ADDED, schedule="0 6 * * *")
        session.commit()
    at = ADDED + timedelta(hours=1)
    poll(ctx, "ssc", at=at, found=40, new=30, updated=2, failed=1, requests=5)
    poll(ctx, "ssc", at=at + timedelta(hours=6), status="failed", requests=6)
    poll(ctx, "ssc", at=at + timedelta(hours=12), found=3, new=1, requests=2)
    poll(ctx, "hourly", at=at, found=1, new=1, requests=2)
    poll(ctx, "cron", at=datetime(2026, 3, 1, 6, 0, tzinfo=UTC), requests=2)
    with Session(ctx.engine) as session:
        job = start_job_run(session, "digests", started=at)
        finish_job_run(session, job.id, finished_at=at, status="ok", counts={"sent": 1})
        sub = add_subscriber(session, "a@example.org", now=ADDED)
        assert sub.id is not None
        ids = [
            add_digest(session, subscriber_id=sub.id, period_start=ADDED, period_end=at, now=at).id
            for _ in range(5)
        ]
        session.commit()
        sent, failed, retrying, sending, _queued = ids
        assert all(take_digest(session, d, worker="w", now=at) for d in (sent, failed, sending))
        mark_sent(session, sent, attempts=2, sent_at=at)
        mark_not_sent(session, failed, attempts=1, error="550 no such user", retry_at=None)
        mark_not_sent(
            session, retrying, attempts=1, error="421 busy", retry_at=at + timedelta(days=9)
        )
        session.commit()


@contextmanager
def TestClient(app: FastAPI) -> Iterator[httpx.Client]:  # noqa: N802 (reads like the class)
    """An httpx client talking to ``app``, served by uvicorn on loopback."""
    with serving(app) as url, httpx.Client(base_url=url, trust_env=False) as c:
        yield c


@pytest.fixture
def clock() -> Clock:
    return Clock(ADDED + timedelta(hours=13))


@pytest.fixture
def ctx(migrated_sqlite_url: str, clock: Clock) -> Iterator[Context]:
    with make_ctx(migrated_sqlite_url, clock) as context:
        seed(context)
        yield context


@pytest.fixture
def client(ctx: Context) -> Iterator[httpx.Client]:
    with TestClient(create_app(ctx)) as c:
        yield c


def scrape(client: httpx.Client) -> dict[tuple[str, tuple[tuple[str, str], ...]], float]:
    """Every sample of /metrics, parsed by Prometheus' own parser: (name, labels) -> value."""
    response = client.get("/metrics")
    assert response.status_code == 200
    assert response.headers["content-type"].startswith("text/plain")
    samples = {}
    for family in text_string_to_metric_families(response.text):
        for s in family.samples:
            samples[(s.name, tuple(sorted(s.labels.items())))] = s.value
    return samples


def test_metrics_report_polls_records_and_requests_from_the_database(
    migrated_db_url: str, clock: Clock
) -> None:
    with make_ctx(migrated_db_url, clock) as ctx:
        seed(ctx)
        with TestClient(create_app(ctx)) as client:
            m = scrape(client)
    assert m[("litwatch_store_up", ())] == 1
    assert m[("litwatch_polls_total", (("search", "ssc"), ("status", "ok")))] == 2
    assert m[("litwatch_polls_total", (("search", "ssc"), ("status", "failed")))] == 1
    assert m[("litwatch_polls_total", (("search", "hourly"), ("status", "ok")))] == 1
    assert m[("litwatch_poll_records_total", (("kind", "new"), ("search", "ssc")))] == 31
    assert m[("litwatch_poll_records_total", (("kind", "failed"), ("search", "ssc")))] == 1
    assert m[("litwatch_poll_eutils_requests_total", (("search", "ssc"),))] == 13
    assert m[("litwatch_job_runs_total", (("job", "digests"), ("status", "ok")))] == 1
    assert m[("litwatch_articles", (("state", "stored"),))] == 0


def test_metrics_report_deliveries_and_the_queue(client: httpx.Client) -> None:
    m = scrape(client)
    assert m[("litwatch_deliveries_total", (("outcome", "sent"),))] == 1
    assert m[("litwatch_deliveries_total", (("outcome", "failed"),))] == 1
    assert m[("litwatch_delivery_attempts_total", ())] == 4
    assert m[("litwatch_delivery_queue_depth", (("state", "pending"),))] == 2
    assert m[("litwatch_delivery_queue_depth", (("state", "sending"),))] == 1
    assert m[("litwatch_delivery_queue_due", ())] == 1  # the retry waits nine days
    assert m[("litwatch_delivery_queue_retrying", ())] == 1


def test_metrics_give_each_search_its_last_success_as_a_timestamp(
    client: httpx.Client, clock: Clock
) -> None:
    m = scrape(client)
    last_ssc = (ADDED + timedelta(hours=13)).timestamp()
    assert m[("litwatch_search_last_success_timestamp_seconds", (("search", "ssc"),))] == last_ssc
    assert m[("litwatch_search_late", (("search", "ssc"),))] == 0
    clock.now += timedelta(days=1)
    m = scrape(client)
    assert m[("litwatch_search_late", (("search", "hourly"),))] == 1
    assert m[("litwatch_search_late", (("search", "ssc"),))] == 1


def test_metrics_are_the_same_from_another_instance_and_after_a_restart(
    ctx: Context, clock: Clock, migrated_sqlite_url: str
) -> None:
    with TestClient(create_app(ctx)) as first:
        before = scrape(first)
    with make_ctx(str(ctx.engine.url), clock) as other, TestClient(create_app(other)) as second:
        after = scrape(second)
    shared = {k: v for k, v in before.items() if not k[0].startswith(("litwatch_eutils_",))}
    assert shared == {k: v for k, v in after.items() if k in shared}


def test_eutils_counters_are_this_process_own(migrated_sqlite_url: str, clock: Clock) -> None:
    fake = FakeEutils(Corpus(), rate_limit=False)
    fake.fail_next(1, 429)
    fake.fail_next(1, 503)
    with (
        running_server(fake) as base_url,
        make_ctx(migrated_sqlite_url, clock, eutils_url=base_url) as ctx,
        TestClient(create_app(ctx)) as client,
    ):
        m = scrape(client)
        assert m[("litwatch_eutils_requests_total", ())] == 0  # no client built yet
        # The process's client, with the backoff's pauses skipped.
        ctx.eutils = EutilsClient(
            ctx.http, ctx.eutils.settings, limiter=RateLimiter(100), sleep=lambda _s: None
        )
        ctx.eutils.esearch("rituximab", usehistory=False)
        m = scrape(client)
    assert [r.status for r in fake.requests] == [429, 503, 200]
    assert m[("litwatch_eutils_requests_total", ())] == 3
    assert m[("litwatch_eutils_throttled_total", ())] == 1
    assert m[("litwatch_eutils_retries_total", ())] == 2


# --- /healthz -----------------------------------------------------------------------------


def test_healthz_is_ok_when_every_search_polled_recently(
    client: httpx.Client, clock: Clock
) -> None:
    clock.now = ADDED + timedelta(hours=3)
    response = client.get("/healthz")
    assert response.status_code == 200, response.json()
    body = response.json()
    assert body["status"] == "ok" and body["database"] == "ok" and body["problems"] == []
    assert {s["name"] for s in body["searches"]} == {"ssc", "hourly", "cron"}


@pytest.mark.parametrize(
    ("after", "late"),
    [
        # 'every 1h' last polled at 01:00: late only once three hours have gone by.
        (timedelta(hours=3), set()),
        (timedelta(hours=3, seconds=1), {"hourly"}),
        # 'every 6h' (the default) last polled at 13:00: late after 18 hours.
        (timedelta(hours=16), {"hourly"}),
        (timedelta(hours=30, seconds=1), {"hourly", "ssc"}),
    ],
)
def test_healthz_fails_once_a_search_missed_three_intervals(
    client: httpx.Client, clock: Clock, after: timedelta, late: set[str]
) -> None:
    clock.now = ADDED + timedelta(hours=1) + after
    late = late | ({"cron"} if clock.now > datetime(2026, 3, 4, 6, 0, tzinfo=UTC) else set())
    response = client.get("/healthz")
    body = response.json()
    assert {s["name"] for s in body["searches"] if not s["ok"]} == late
    assert response.status_code == (503 if late else 200)
    assert body["status"] == ("error" if late else "ok")
    assert len(body["problems"]) == len(late)
    if "hourly" in late:
        assert any("'hourly' (every 1h) has missed 3 polls" in p for p in body["problems"])


def test_healthz_counts_three_fires_of_a_cron_schedule(client: httpx.Client, clock: Clock) -> None:
    # '0 6 * * *' last polled on 1 March at 06:00: it fires on the 2nd, 3rd and 4th.
    def cron_ok() -> bool:
        searches = client.get("/healthz").json()["searches"]
        return next(s for s in searches if s["name"] == "cron")["ok"]

    clock.now = datetime(2026, 3, 4, 6, 0, tzinfo=UTC)
    assert cron_ok()
    clock.now = datetime(2026, 3, 4, 6, 0, 1, tzinfo=UTC)
    assert not cron_ok()


def test_healthz_ignores_a_disabled_search_and_counts_a_new_one_from_when_it_was_added(
    ctx: Context, client: httpx.Client, clock: Clock
) -> None:
    with Session(ctx.engine) as session:
        search = get_search(session, "hourly")
        search.enabled = False
        session.add(search)
        add_search(session, "fresh", "x", now=clock.now, schedule="every 1h")
        session.commit()
    clock.now += timedelta(hours=3)
    assert client.get("/healthz").status_code == 200
    clock.now += timedelta(seconds=1)
    response = client.get("/healthz")
    assert response.status_code == 503
    assert "'fresh' (every 1h) has missed 3 polls: never polled" in response.json()["problems"][0]


def test_healthz_and_metrics_when_the_database_is_gone(tmp_path: Path, clock: Clock) -> None:
    missing = tmp_path / "no-such-dir" / "gone.db"
    with make_ctx(f"sqlite:///{missing}", clock) as ctx, TestClient(create_app(ctx)) as client:
        missing.parent.rmdir()  # the engine made the folder; without it SQLite cannot open
        response = client.get("/healthz")
        assert response.status_code == 503
        assert response.json()["database"] == "unreachable"
        m = scrape(client)
    assert m[("litwatch_store_up", ())] == 0
    assert ("litwatch_eutils_requests_total", ()) in m
