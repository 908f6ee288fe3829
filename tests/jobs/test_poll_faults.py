"""Polls through a faulty fake E-utilities server: every record once, retries counted,
unreadable records quarantined and fetched again by the next poll."""

from __future__ import annotations

import json
from collections.abc import Iterator
from contextlib import contextmanager
from datetime import timedelta
from typing import Any

import pytest
from sqlalchemy import func
from sqlmodel import Session, select

from litwatch.cli import main
from litwatch.context import Context
from litwatch.fake_eutils.answers import Reply
from litwatch.fake_eutils.corpus import Corpus
from litwatch.fake_eutils.eutils import FakeEutils
from litwatch.fake_eutils.server import running_server
from litwatch.jobs.poll import poll_search
from litwatch.store.searches import add_search
from litwatch.store.tables import Article, PollRun, QuarantinedRecord
from tests.helpers.e2e import _SERVED_PMID, TODAY, Clock, make_context
from tests.helpers.synthetic_records import TOPIC_QUERY
from tests.jobs.test_poll import corpus_of


class CuttingFake(FakeEutils):
    """The fake server, noting the PMIDs of every whole efetch answer and counting faults;
    it can also cut the next few efetch answers on purpose."""

    def __init__(self, *args: Any, **kwargs: Any) -> None:
        super().__init__(*args, **kwargs)
        self.served: list[str] = []
        self.faults = 0  # answers a client must retry: 429, 5xx or cut short
        self.cut_next_efetches = 0

    def _answer(self, name: str, params: dict[str, str], client: str) -> Reply:
        reply = super()._answer(name, params, client)
        with self._lock:
            if name == "efetch.fcgi" and reply.status == 200 and self.cut_next_efetches:
                self.cut_next_efetches -= 1
                reply.truncate = True
            if reply.truncate or reply.status != 200:
                self.faults += 1
            elif name == "efetch.fcgi":
                self.served.extend(m.decode() for m in _SERVED_PMID.findall(reply.body))
        return reply


@contextmanager
def world(
    db_url: str, corpus: Corpus, batch_size: int = 50, **faults: Any
) -> Iterator[tuple[Context, CuttingFake, Clock]]:
    clock = Clock()
    fake = CuttingFake(corpus, today=lambda: TODAY, **faults)
    with running_server(fake) as base_url:
        ctx = make_context(
            db_url, base_url, clock, eutils_max_tries=10, eutils_batch_size=batch_size
        )
        ctx.eutils._sleep = lambda s: None  # type: ignore[attr-defined]
        with Session(ctx.engine) as s:
            add_search(s, "topic", TOPIC_QUERY, now=clock())
            s.commit()
        try:
            yield ctx, fake, clock
        finally:
            ctx.close()


def stored(ctx: Context) -> tuple[int, int]:
    with Session(ctx.engine) as s:
        rows = s.exec(select(func.count()).select_from(Article)).one()
        distinct = s.exec(select(func.count(func.distinct(Article.pmid)))).one()
    return rows, distinct


def quarantined(ctx: Context) -> list[QuarantinedRecord]:
    with Session(ctx.engine) as s:
        return list(s.exec(select(QuarantinedRecord)).all())


def last_run(ctx: Context) -> PollRun:
    with Session(ctx.engine) as s:
        return s.exec(select(PollRun).order_by(PollRun.id.desc())).first()  # type: ignore[union-attr]


@pytest.mark.parametrize("seed", [3, pytest.param(11, marks=pytest.mark.slow)])
def test_under_thirty_percent_faults_every_record_is_stored_once(
    migrated_sqlite_url: str, seed: int
) -> None:
    faults = {"throttle_rate": 0.1, "error_rate": 0.12, "truncate_rate": 0.08, "slow_ms": 5}
    with world(migrated_sqlite_url, corpus_of(200), 10, seed=seed, **faults) as (ctx, fake, _):
        summary = poll_search(ctx, "topic")
        assert summary.status == "ok", summary.error
        assert (summary.new, summary.failed, summary.quarantined) == (200, 0, 0)
        assert stored(ctx) == (200, 200)
        # Each record went out whole exactly once: nothing fetched twice, nothing lost.
        assert len(fake.served) == len(set(fake.served)) == 200
        statuses = {r.status for r in fake.requests}
        assert statuses & {429, 500, 502, 503}
        # Every faulty answer was retried, and the run says how many times.
        assert fake.faults > 0 and summary.retries == fake.faults
        assert summary.requests == len(fake.requests)
        run = last_run(ctx)
        assert (run.retries, run.requests) == (summary.retries, summary.requests)
        assert "retries" in summary.line()
        assert quarantined(ctx) == []


def test_a_cut_efetch_answer_is_retried_not_quarantined(migrated_sqlite_url: str) -> None:
    with world(migrated_sqlite_url, corpus_of(120)) as (ctx, fake, _):
        fake.cut_next_efetches = 2
        summary = poll_search(ctx, "topic")
        assert summary.status == "ok", summary.error
        assert (summary.new, summary.failed, summary.quarantined) == (120, 0, 0)
        assert summary.retries == 2 and last_run(ctx).retries == 2
        assert quarantined(ctx) == []
        assert len(fake.served) == len(set(fake.served)) == 120


def _break(corpus: Corpus, pmid: str) -> bytes:
    """Give ``pmid`` a PMID version that is not a number: readable XML, unreadable record."""
    raw = corpus.get(pmid).xml  # type: ignore[union-attr]
    broken = raw.replace(
        f'<PMID Version="1">{pmid}</PMID>'.encode(), f'<PMID Version="x">{pmid}</PMID>'.encode()
    )
    assert broken != raw
    corpus.replace_raw(pmid, broken)
    return raw


def test_a_malformed_record_is_quarantined_then_stored_by_the_next_poll(
    migrated_db_url: str, capsys: pytest.CaptureFixture[str], monkeypatch: pytest.MonkeyPatch
) -> None:
    corpus = corpus_of(120)
    raw = _break(corpus, "70000007")
    with world(migrated_db_url, corpus) as (ctx, fake, clock):
        summary = poll_search(ctx, "topic")
        # The rest of the batch is stored; the bad one is counted, named and kept aside.
        assert summary.status == "ok", summary.error
        assert (summary.new, summary.failed, summary.quarantined) == (119, 1, 1)
        assert summary.failed_pmids == ["70000007"]
        [held] = quarantined(ctx)
        assert held.pmid == "70000007" and held.attempts == 1 and "ValueError" in held.error
        run = last_run(ctx)
        assert (run.failed, run.quarantined, run.new) == (1, 1, 119)

        # `litwatch runs` shows it, in its JSON too.
        monkeypatch.setenv("LITWATCH_DATABASE_URL", migrated_db_url)
        monkeypatch.setenv("LITWATCH_NCBI_EMAIL", "e2e@example.org")
        assert main(["runs", "--format", "json"]) == 0
        shown = json.loads(capsys.readouterr().out)
        assert [q["pmid"] for q in shown["quarantine"]] == ["70000007"]
        assert "ValueError" in shown["quarantine"][0]["error"]
        [poll_row] = [r for r in shown["runs"] if r["kind"] == "poll"]
        assert poll_row["quarantined"] == 1 and "quarantined 1" in poll_row["counts"]
        assert main(["runs"]) == 0
        table = capsys.readouterr().out
        assert "quarantine" in table and "70000007" in table

        # Still broken a poll later (far past the overlap window): tried again, kept.
        clock.now += timedelta(days=30)
        fake.served.clear()
        again = poll_search(ctx, "topic")
        assert again.status == "ok" and again.quarantined == 1 and again.new == 0
        assert fake.served == ["70000007"]
        [held] = quarantined(ctx)
        assert held.attempts == 2

        # Mended at the source: the next poll stores it and the quarantine empties.
        corpus.replace_raw("70000007", raw)
        clock.now += timedelta(days=1)
        fake.served.clear()
        mended = poll_search(ctx, "topic")
        assert mended.status == "ok" and (mended.new, mended.quarantined) == (1, 0)
        assert fake.served == ["70000007"]
        assert quarantined(ctx) == []
        assert stored(ctx) == (120, 120)
        # Nothing left to retry: the poll after fetches nothing.
        clock.now += timedelta(days=1)
        fake.served.clear()
        assert poll_search(ctx, "topic").new == 0 and fake.served == []
