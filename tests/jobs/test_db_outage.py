"""PostgreSQL gone for a while (a TCP proxy on loopback, closed and opened again): each of the
scheduler's jobs says so in one line, and the next run catches up, storing nothing twice."""

from __future__ import annotations

import logging
from collections.abc import Iterator
from datetime import timedelta
from typing import Any

import pytest
from sqlalchemy import func
from sqlalchemy.engine import make_url
from sqlmodel import Session, select

from litwatch.fake_eutils.answers import Reply
from litwatch.fake_eutils.server import running_server
from litwatch.jobs.scheduler import _digest_job, _retry_job, _run_poll
from litwatch.store.searches import add_search, get_search
from litwatch.store.tables import Article, PollRun
from tests.helpers.e2e import TODAY, Clock, CountingFake, make_context
from tests.helpers.synthetic_records import TOPIC_QUERY
from tests.helpers.tcp_proxy import TcpProxy
from tests.jobs.test_poll import corpus_of

SCHEDULE = "every 6h"


class CuttingFake(CountingFake):
    """Closes the proxy (the database goes away) once ``cut_after`` efetch answers went out."""

    proxy: TcpProxy
    cut_after = 0

    def efetch(self, p: dict[str, str]) -> Reply:
        reply = super().efetch(p)
        self.cut_after -= 1
        if self.cut_after == 0:
            self.proxy.close()
        return reply


@pytest.fixture
def outage(migrated_pg_url: str) -> Iterator[tuple[Any, CuttingFake, TcpProxy, Clock]]:
    real = make_url(migrated_pg_url)
    proxy = TcpProxy((real.host or "127.0.0.1", real.port or 5432)).open()
    url = real.set(host="127.0.0.1", port=proxy.port).render_as_string(hide_password=False)
    clock = Clock()
    fake = CuttingFake(corpus_of(240), today=lambda: TODAY)
    fake.proxy = proxy
    with running_server(fake) as base_url:
        ctx = make_context(url, base_url, clock)
        with Session(ctx.engine) as s:
            add_search(s, "topic", TOPIC_QUERY, now=clock())
            s.commit()
        try:
            yield ctx, fake, proxy, clock
        finally:
            ctx.close()
            proxy.close()


def job_errors(caplog: pytest.LogCaptureFixture) -> list[logging.LogRecord]:
    return [r for r in caplog.records if r.levelno >= logging.ERROR]


def stored(ctx: Any) -> tuple[int, int]:
    with Session(ctx.engine) as s:
        rows = s.exec(select(func.count()).select_from(Article)).one()
        distinct = s.exec(select(func.count(func.distinct(Article.pmid)))).one()
    return rows, distinct


def test_jobs_say_in_one_line_the_database_is_gone_and_the_next_run_catches_up(
    outage, caplog: pytest.LogCaptureFixture
) -> None:  # type: ignore[no-untyped-def]
    ctx, fake, proxy, clock = outage
    proxy.close()
    caplog.set_level(logging.INFO)
    for job in (
        lambda: _run_poll(ctx, "topic", SCHEDULE),
        lambda: _digest_job(ctx),
        lambda: _retry_job(ctx),
    ):
        caplog.clear()
        job()  # raises nothing
        [error] = job_errors(caplog)
        assert "database unreachable" in error.getMessage()
        assert "\n" not in error.getMessage() and error.exc_info is None
    assert not [r for r in fake.requests if r.path.endswith("efetch.fcgi")]

    proxy.open()
    caplog.clear()
    clock.now += timedelta(minutes=5)
    _run_poll(ctx, "topic", SCHEDULE)
    assert job_errors(caplog) == []
    assert stored(ctx) == (240, 240)
    with Session(ctx.engine) as s:
        assert get_search(s, "topic").last_success_at is not None


def test_a_poll_cut_off_by_the_database_going_away_is_finished_by_the_next_run(
    outage, caplog: pytest.LogCaptureFixture
) -> None:  # type: ignore[no-untyped-def]
    ctx, fake, proxy, clock = outage
    fake.cut_after = 3  # the database goes while the third batch is on its way
    caplog.set_level(logging.INFO)
    _run_poll(ctx, "topic", SCHEDULE)
    [error] = job_errors(caplog)
    assert "database unreachable" in error.getMessage() and error.exc_info is None
    assert "\n" not in error.getMessage()

    proxy.open()
    with Session(ctx.engine) as s:
        assert get_search(s, "topic").watermark is None  # the cut poll did not advance it
    before, _ = stored(ctx)
    assert 0 < before < 240
    fake.served.clear()
    caplog.clear()
    clock.now += timedelta(minutes=5)
    _run_poll(ctx, "topic", SCHEDULE)
    assert job_errors(caplog) == []
    assert stored(ctx) == (240, 240)
    assert len(fake.served) == len(set(fake.served)) == 240 - before  # only what was missing
    with Session(ctx.engine) as s:
        statuses = sorted(r.status for r in s.exec(select(PollRun)))
        assert statuses[-1] == "ok" and statuses[0] in ("abandoned", "failed")
