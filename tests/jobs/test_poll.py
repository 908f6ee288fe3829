"""End-to-end polls through the fake E-utilities server on loopback, into a real database."""

from __future__ import annotations

from collections.abc import Iterator
from datetime import date, timedelta

import pytest
from sqlalchemy import func
from sqlmodel import Session, select

from litwatch.fake_eutils.corpus import Corpus
from litwatch.jobs.poll import poll_search
from litwatch.store.articles import get_article
from litwatch.store.searches import add_search, get_search
from litwatch.store.tables import Article, ClassificationRow, PollRun, SearchHit
from tests.helpers.e2e import TODAY, Clock, fake_eutils, make_context
from tests.helpers.synthetic_records import TOPIC_QUERY, make_records


def corpus_of(n: int = 240) -> Corpus:
    corpus = Corpus()
    corpus.add_records(
        make_records(n, start_pmid=70_000_001, crdt_start=date(2026, 10, 1), per_day=8)
    )
    return corpus


@pytest.fixture
def world(migrated_db_url: str) -> Iterator[tuple]:  # type: ignore[type-arg]
    corpus = corpus_of()
    clock = Clock()
    with fake_eutils(corpus) as (fake, base_url):
        ctx = make_context(migrated_db_url, base_url, clock)
        with Session(ctx.engine) as s:
            add_search(s, "topic", TOPIC_QUERY, now=clock())
            s.commit()
        yield ctx, fake, corpus, clock
        ctx.close()


def efetched_ids(fake) -> list[str]:  # type: ignore[no-untyped-def]
    """Every PMID the fake's efetch answers carried since the log was reset."""
    return list(fake.served)


def counts(ctx) -> tuple[int, int, int]:  # type: ignore[no-untyped-def]
    with Session(ctx.engine) as s:
        articles = s.exec(select(func.count()).select_from(Article)).one()
        distinct = s.exec(select(func.count(func.distinct(Article.pmid)))).one()
        hits = s.exec(select(func.count()).select_from(SearchHit)).one()
    return articles, distinct, hits


def test_first_poll_stores_every_matching_record(world) -> None:  # type: ignore[no-untyped-def]
    ctx, fake, corpus, _ = world
    summary = poll_search(ctx, "topic")
    assert summary.status == "ok", summary.error
    assert (summary.found, summary.new, summary.updated, summary.failed) == (240, 240, 0, 0)
    assert counts(ctx) == (240, 240, 240)
    # Every request identified itself, as NCBI asks.
    assert fake.identities == {("litwatch", "e2e@example.org")}
    assert all(r.params.get("api_key") == "test-key" for r in fake.requests)
    with Session(ctx.engine) as s:
        search = get_search(s, "topic")
        assert search.watermark == TODAY and search.last_success_at is not None
        run = s.exec(select(PollRun)).one()
        assert (run.status, run.found, run.new) == ("ok", 240, 240)
        assert run.requests == summary.requests > 0
        # Every stored article was classified in the same poll.
        assert s.exec(select(func.count()).select_from(ClassificationRow)).one() == 240


def test_second_poll_with_nothing_new_costs_two_requests(world) -> None:  # type: ignore[no-untyped-def]
    ctx, fake, _, clock = world
    poll_search(ctx, "topic")
    fake.reset_log()
    fake.served.clear()
    clock.now += timedelta(hours=6)
    summary = poll_search(ctx, "topic")
    assert summary.status == "ok"
    assert len(fake.requests) <= 2
    assert not [r for r in fake.requests if r.path.endswith("efetch.fcgi")]
    assert (summary.new, summary.updated) == (0, 0)
    assert counts(ctx) == (240, 240, 240)


def test_fifty_new_records_are_fetched_once_and_stored_once(world) -> None:  # type: ignore[no-untyped-def]
    ctx, fake, corpus, clock = world
    poll_search(ctx, "topic")
    corpus.add_records(make_records(50, start_pmid=71_000_001, crdt_start=TODAY, per_day=50))
    # Records on another topic appear too: they must not be fetched.
    corpus.add_records(
        make_records(5, start_pmid=72_000_001, crdt_start=TODAY, per_day=5)
        .replace(b"velmoric fibrosis", b"quell syndrome")
        .replace(b"Velmoric fibrosis", b"Quell syndrome")
    )
    fake.reset_log()
    fake.served.clear()
    clock.now += timedelta(hours=6)
    summary = poll_search(ctx, "topic")
    assert (summary.found, summary.new) == (50, 50)
    fetched = efetched_ids(fake)
    assert sorted(fetched) == [str(71_000_001 + i) for i in range(50)]
    assert counts(ctx) == (290, 290, 290)
    # And a third poll finds them stored: nothing fetched again.
    fake.reset_log()
    fake.served.clear()
    poll_search(ctx, "topic")
    assert efetched_ids(fake) == []


def test_a_modified_record_is_restored(world) -> None:  # type: ignore[no-untyped-def]
    ctx, fake, corpus, clock = world
    poll_search(ctx, "topic")
    clock.now += timedelta(days=1)
    corpus.revise_record("70000007", revised=clock().date(), title="Corrected: glorbinase trial")
    fake.reset_log()
    fake.served.clear()
    summary = poll_search(ctx, "topic")
    assert (summary.new, summary.updated) == (0, 1)
    assert efetched_ids(fake) == ["70000007"]
    with Session(ctx.engine) as s:
        article = get_article(s, "70000007")
        assert article is not None and article.title == "Corrected: glorbinase trial"
        assert article.updated_at == clock() and article.first_seen < clock()
    assert counts(ctx) == (240, 240, 240)


class Killed(BaseException):
    """Stands for the process dying: not an error the poll may catch."""


def test_a_poll_killed_midway_then_rerun_stores_each_record_once(world) -> None:  # type: ignore[no-untyped-def]
    ctx, fake, _, clock = world

    def die_after_two_batches(done: int, total: int) -> None:
        if done >= 100:
            raise Killed

    with pytest.raises(Killed):
        poll_search(ctx, "topic", progress=die_after_two_batches)
    stored_before, _, _ = counts(ctx)
    assert stored_before == 100
    with Session(ctx.engine) as s:
        assert get_search(s, "topic").watermark is None  # not advanced
    fake.reset_log()
    fake.served.clear()
    clock.now += timedelta(minutes=5)
    summary = poll_search(ctx, "topic")
    assert summary.status == "ok" and summary.new == 140
    fetched = efetched_ids(fake)
    assert len(fetched) == len(set(fetched)) == 140  # only what was missing, each once
    assert counts(ctx) == (240, 240, 240)
    with Session(ctx.engine) as s:
        statuses = sorted(r.status for r in s.exec(select(PollRun)))
    assert statuses == ["abandoned", "ok"] or statuses == ["failed", "ok"]


def test_poll_with_server_faults_still_stores_everything(migrated_sqlite_url: str) -> None:
    corpus = corpus_of(120)
    clock = Clock()
    with fake_eutils(corpus, error_rate=0.2, throttle_rate=0.1, seed=7) as (fake, base_url):
        ctx = make_context(migrated_sqlite_url, base_url, clock, eutils_max_tries=10)
        ctx.eutils._sleep = lambda s: None  # type: ignore[attr-defined]
        with Session(ctx.engine) as s:
            add_search(s, "topic", TOPIC_QUERY, now=clock())
            s.commit()
        summary = poll_search(ctx, "topic")
        ctx.close()
    assert summary.status == "ok", summary.error
    assert summary.new == 120
    statuses = {r.status for r in fake.requests}
    assert statuses & {429, 500, 502, 503}  # faults really happened


def test_a_broken_record_does_not_sink_the_poll(migrated_sqlite_url: str) -> None:
    corpus = corpus_of(40)
    clock = Clock()
    with fake_eutils(corpus) as (fake, base_url):
        raw = corpus.get("70000003").xml  # type: ignore[union-attr]
        broken = raw.replace(b'<PMID Version="1">70000003</PMID>', b'<PMID Version="1"></PMID>')
        assert broken != raw
        corpus.replace_raw("70000003", broken)
        ctx = make_context(migrated_sqlite_url, base_url, clock)
        with Session(ctx.engine) as s:
            add_search(s, "topic", TOPIC_QUERY, now=clock())
            s.commit()
        summary = poll_search(ctx, "topic")
        ctx.close()
    assert summary.status == "ok"
    assert summary.new + summary.failed == 40
