"""The poll's pipeline: fetch one batch ahead in a thread, classify on a second core.

Every record is stored once and the arrival window holds with the fetch ahead; a poll that
classifies in the worker process stores exactly what a poll in one process stores; a fault
in the fetching thread ends the poll as the same fault did without the thread.
"""

from __future__ import annotations

import multiprocessing
import threading
from collections.abc import Iterator
from datetime import date, timedelta
from pathlib import Path
from typing import Any

import pytest
from sqlmodel import Session, select

from litwatch.context import Context
from litwatch.errors import EutilsError
from litwatch.fake_eutils.answers import Reply
from litwatch.fake_eutils.arrivals import most_in_window
from litwatch.fake_eutils.corpus import Corpus
from litwatch.fake_eutils.xmlbuild import ArticleSpec, render_article, render_set
from litwatch.jobs.fetch_ahead import FetchAhead
from litwatch.jobs.poll import poll_search
from litwatch.judging.gold import load_gold
from litwatch.store.searches import add_search, get_search
from litwatch.store.tables import (
    ArticleFinding,
    ClassificationRow,
    NoticeLink,
    PollRun,
    TrialKey,
)
from tests.helpers.e2e import TODAY, Clock, CountingFake, fake_eutils, make_context
from tests.helpers.synthetic_records import TOPIC_QUERY
from tests.jobs.test_poll import corpus_of, counts

GOLD = Path(__file__).resolve().parents[1] / "data" / "gold.jsonl"
FIRST = 71_000_001


# --- FetchAhead on its own ----------------------------------------------------------------------


def test_fetch_ahead_hands_over_every_item_once_in_order() -> None:
    with FetchAhead(iter(range(25))) as ahead:
        assert list(ahead) == list(range(25))


def test_the_next_item_is_fetched_while_this_one_is_handled_and_no_further() -> None:
    started: list[int] = []
    second_started = threading.Event()

    def source() -> Iterator[int]:
        for i in range(6):
            started.append(i)
            if i == 1:
                second_started.set()
            yield i

    with FetchAhead(source()) as ahead:
        for item in ahead:
            if item == 0:
                # Item 1 is fetched while item 0 is still in hand (the caller has not asked).
                assert second_started.wait(10)
            # Never more than one item beyond the one in hand.
            assert len(started) <= item + 2


def test_an_error_in_the_fetching_thread_is_raised_where_its_item_would_come() -> None:
    fault = EutilsError("no answer after 6 tries", request="efetch.fcgi", retryable=True)

    def source() -> Iterator[int]:
        yield 0
        yield 1
        raise fault

    got: list[int] = []
    with pytest.raises(EutilsError) as raised, FetchAhead(source()) as ahead:
        got.extend(ahead)
    assert got == [0, 1] and raised.value is fault


def test_leaving_early_stops_the_thread_and_closes_the_source() -> None:
    closed = threading.Event()

    def source() -> Iterator[int]:
        try:
            yield from range(1000)
        finally:
            closed.set()

    with FetchAhead(source()) as ahead:
        for item in ahead:
            if item == 3:
                break
    assert closed.wait(10)
    assert not [t for t in threading.enumerate() if t.name == "fetch-ahead"]


# --- whole polls --------------------------------------------------------------------------------


def test_a_poll_with_fetch_ahead_stores_every_record_once_within_the_rate(
    migrated_db_url: str,
) -> None:
    with fake_eutils(corpus_of(240)) as (fake, base_url):
        ctx = make_context(migrated_db_url, base_url, Clock(), eutils_batch_size=20)
        try:
            _add_search(ctx, TOPIC_QUERY)
            summary = poll_search(ctx, "topic")
            stored = counts(ctx)
            with Session(ctx.engine) as s:
                judged = len(s.exec(select(ClassificationRow)).all())
        finally:
            ctx.close()
    assert summary.status == "ok", summary.error
    assert (summary.new, summary.failed) == (240, 0)
    assert stored == (240, 240, 240) and judged == 240
    assert len(fake.served) == len(set(fake.served)) == 240  # each fetched once
    efetches = [r for r in fake.requests if r.path == "efetch.fcgi"]
    assert len(efetches) == 12
    assert most_in_window(fake.requests) <= 10  # the limit with a key, counted at the server


def _gold_corpus() -> Corpus:
    """Our gold abstracts as records the topic query finds, 12 created a day, a retraction
    notice among them (so one batch brings a notice link) and repeated trials."""
    gold = load_gold(GOLD)
    articles = []
    for i in range(260):
        g = gold[i % len(gold)]
        created = date(2026, 9, 1) + timedelta(days=i // 12)
        articles.append(
            render_article(
                ArticleSpec(
                    pmid=str(FIRST + i),
                    title=g.title,
                    journal="Journal of Velmoric Research",
                    journal_iso="J Velmoric Res",
                    issn="2999-0001",
                    pub_date=created,
                    created=created,
                    abstract=g.abstract,
                    pub_types=list(g.publication_types) or ["Journal Article"],
                    keywords=["glorbinase", "velmoric fibrosis"],
                )
            )
        )
    notice_day = date(2026, 9, 1) + timedelta(days=200 // 12)
    articles.append(
        render_article(
            ArticleSpec(
                pmid=str(FIRST + 999),
                title="Retraction notice: a glorbinase trial in velmoric fibrosis",
                journal="Journal of Velmoric Research",
                journal_iso="J Velmoric Res",
                issn="2999-0001",
                pub_date=notice_day,
                created=notice_day,
                pub_types=["Retraction of Publication"],
                keywords=["glorbinase", "velmoric fibrosis"],
                corrections=[("RetractionOf", "J Velmoric Res. 2026", str(FIRST + 5))],
            )
        )
    )
    corpus = Corpus()
    corpus.add_records(render_set(articles))
    return corpus


def _judgements(ctx: Context) -> dict[str, Any]:
    """Everything the classification wrote, without row ids."""
    with Session(ctx.engine) as s:
        rows = s.exec(select(ClassificationRow)).all()
        return {
            "classifications": sorted(
                (r.model_dump(exclude={"id"}) for r in rows), key=lambda d: d["pmid"]
            ),
            "findings": sorted(
                (f.pmid, f.finding_id, f.stance, f.confidence)
                for f in s.exec(select(ArticleFinding))
            ),
            "trials": sorted((t.key, t.pmid) for t in s.exec(select(TrialKey))),
            "links": sorted((n.notice_pmid, n.target_pmid) for n in s.exec(select(NoticeLink))),
        }


def _poll_gold(db_url: str, *, worker: bool) -> tuple[dict[str, Any], set[str]]:
    children: set[str] = set()

    def progress(done: int, total: int) -> None:
        children.update(p.name for p in multiprocessing.active_children())

    with fake_eutils(_gold_corpus()) as (_, base_url):
        ctx = make_context(
            db_url, base_url, Clock(), eutils_batch_size=30, poll_classify_worker=worker
        )
        try:
            _add_search(ctx, TOPIC_QUERY)
            summary = poll_search(ctx, "topic", progress=progress)
            assert summary.status == "ok", summary.error
            assert summary.new == 261
            assert multiprocessing.active_children() == []  # the worker stopped with the poll
            return _judgements(ctx), children
        finally:
            ctx.close()


def test_classifying_in_the_worker_stores_what_one_process_stores(
    migrated_sqlite_url: str, tmp_path: Path, _sqlite_template: Path
) -> None:
    second = tmp_path / "second.db"
    second.write_bytes(_sqlite_template.read_bytes())
    serial, no_children = _poll_gold(migrated_sqlite_url, worker=False)
    parallel, children = _poll_gold(f"sqlite:///{second}", worker=True)
    assert no_children == set() and children  # the worker really ran
    assert len(serial["classifications"]) == 261
    assert serial["links"] == [(str(FIRST + 999), str(FIRST + 5))]
    assert serial["trials"]  # trials named again, so some judgements read earlier ones
    assert parallel == serial


class FailingFake(CountingFake):
    """Answers efetch with a permanent error once it has answered ``good`` of them."""

    def __init__(self, *args: Any, good: int, **kwargs: Any) -> None:
        super().__init__(*args, **kwargs)
        self.good = good
        self.failing = True
        self.efetches = 0

    def _answer(self, name: str, params: dict[str, str], client: str) -> Reply:
        if name == "efetch.fcgi":
            self.efetches += 1  # the fake's client sends one request at a time
            if self.failing and self.efetches > self.good:
                return Reply(400, b"<eFetchResult><ERROR>Invalid request</ERROR></eFetchResult>")
        return super()._answer(name, params, client)


def test_a_fault_in_the_fetching_thread_fails_the_poll_and_the_next_one_catches_up(
    migrated_db_url: str,
) -> None:
    from litwatch.fake_eutils.server import running_server

    clock = Clock()
    fake = FailingFake(corpus_of(240), today=lambda: TODAY, good=3)
    with running_server(fake) as base_url:
        ctx = make_context(migrated_db_url, base_url, clock, eutils_batch_size=40)
        try:
            _add_search(ctx, TOPIC_QUERY)
            failed = poll_search(ctx, "topic")
            assert failed.status == "failed" and "400" in failed.error
            assert counts(ctx)[0] == 120  # the three batches before the fault, committed
            with Session(ctx.engine) as s:
                assert get_search(s, "topic").watermark is None  # not advanced
                assert len(s.exec(select(ClassificationRow)).all()) == 120  # and judged
                assert s.exec(select(PollRun)).one().status == "failed"
            fake.failing = False
            fake.served.clear()
            clock.now += timedelta(minutes=5)
            again = poll_search(ctx, "topic")
            stored = counts(ctx)
        finally:
            ctx.close()
    assert again.status == "ok" and again.new == 120
    assert len(fake.served) == len(set(fake.served)) == 120  # only what was missing
    assert stored == (240, 240, 240)


def test_an_unexpected_error_in_the_fetching_thread_is_recorded_and_raised(
    migrated_sqlite_url: str,
) -> None:
    with fake_eutils(corpus_of(120)) as (_, base_url):
        ctx = make_context(migrated_sqlite_url, base_url, Clock(), eutils_batch_size=40)
        real = ctx.eutils.iter_history_batches

        def one_batch_then_a_bug(*args: Any, **kwargs: Any) -> Iterator[tuple[int, bytes]]:
            batches = real(*args, **kwargs)
            yield next(batches)
            raise KeyError("a bug in the fetcher")

        ctx.eutils.iter_history_batches = one_batch_then_a_bug  # type: ignore[method-assign]
        try:
            _add_search(ctx, TOPIC_QUERY)
            with pytest.raises(KeyError, match="a bug in the fetcher"):
                poll_search(ctx, "topic")
            with Session(ctx.engine) as s:
                run = s.exec(select(PollRun)).one()
            stored = counts(ctx)[0]
        finally:
            ctx.close()
    assert run.status == "failed" and "KeyError" in run.error
    assert stored == 40


def _add_search(ctx: Context, query: str) -> None:
    with Session(ctx.engine) as s:
        add_search(s, "topic", query, now=ctx.now())
        s.commit()


def test_a_poll_classifies_what_a_poll_cut_short_left_unclassified(
    migrated_sqlite_url: str,
) -> None:
    from litwatch.pubmed.plain_text import article_from_text
    from litwatch.store.articles import upsert_articles

    with fake_eutils(corpus_of(40)) as (_, base_url):
        ctx = make_context(migrated_sqlite_url, base_url, Clock())
        try:
            _add_search(ctx, TOPIC_QUERY)
            left = article_from_text(
                "69000001",
                "Rituximab in systemic sclerosis: a cohort",
                "Skin scores fell after B-cell depletion in patients with systemic sclerosis.",
            )
            with Session(ctx.engine) as s:  # stored, as a poll killed before classifying it
                upsert_articles(s, [left], now=ctx.now())
                s.commit()
            summary = poll_search(ctx, "topic")
            with Session(ctx.engine) as s:
                judged = {r.pmid for r in s.exec(select(ClassificationRow))}
        finally:
            ctx.close()
    assert summary.status == "ok" and summary.new == 40
    assert "69000001" in judged and len(judged) == 41
