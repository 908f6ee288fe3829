"""The recall audit end to end: the fake E-utilities server on loopback, a real database."""

from __future__ import annotations

from collections.abc import Iterator
from datetime import date

import pytest
from sqlalchemy import func
from sqlmodel import Session, select

from litwatch.context import Context
from litwatch.default_search import DEFAULT_QUERY
from litwatch.errors import QueryError, StoreError
from litwatch.jobs.poll import poll_search
from litwatch.jobs.recall_audit import EARLIEST, audit_search, audit_window
from litwatch.store.searches import add_search, get_search
from litwatch.store.tables import Article
from tests.helpers.e2e import TODAY, Clock, CountingFake, fake_eutils, make_context
from tests.helpers.recall_records import BRAND_ONLY, CREATED, MISSED, TARGET_ONLY, audit_corpus


@pytest.fixture
def world(migrated_db_url: str) -> Iterator[tuple[Context, CountingFake]]:
    with fake_eutils(audit_corpus()) as (fake, base_url):
        ctx = make_context(migrated_db_url, base_url, Clock())
        with Session(ctx.engine) as s:
            add_search(s, "rtx", DEFAULT_QUERY, now=ctx.now(), backfill_start=date(2026, 1, 1))
            add_search(s, "one-block", "scleroderma[tiab] OR rituximab[tiab]", now=ctx.now())
            s.commit()
        yield ctx, fake
        ctx.close()


def stored_count(ctx: Context) -> int:
    with Session(ctx.engine) as s:
        return int(s.exec(select(func.count()).select_from(Article)).one())


def test_audit_lists_the_core_articles_the_query_missed(world) -> None:  # type: ignore[no-untyped-def]
    ctx, fake = world
    seen: list[tuple[int, int]] = []
    report = audit_search(ctx, "rtx", progress=lambda done, total: seen.append((done, total)))
    assert seen[0] == (0, report.broader_hits) and seen[-1] == (report.broader_hits,) * 2
    assert report.window == (date(2026, 1, 1), TODAY)  # never polled: backfill start to today
    assert report.broader.startswith('("Scleroderma, Systemic"[mh]')
    assert "rituximab" not in report.broader.lower()
    assert {m.pmid for m in report.missed} == MISSED
    by_pmid = {m.pmid: m for m in report.missed}
    assert by_pmid[BRAND_ONLY].suggestions == ['"Rixathon"[tiab]']
    assert by_pmid[TARGET_ONLY].suggestions == ['"CD20-targeted"[tiab]', '"Blitzima"[tiab]']
    assert by_pmid[TARGET_ONLY].design == "case-series"
    assert report.core_found == report.core_caught + 2 and report.core_caught > 0
    assert report.recall is not None and 0 < report.recall < 1
    assert report.saved_hits < report.broader_hits
    # Nothing stored: the audit read every record from the server.
    assert stored_count(ctx) == 0 and report.fetched == report.broader_hits
    assert set(fake.served) >= MISSED
    data = report.to_dict()
    assert data["missed"][0]["suggested_terms"] and data["recall_estimate"] == round(
        report.recall, 3
    )
    assert set(data["suggested_terms"]) == {
        '"Rixathon"[tiab]',
        '"CD20-targeted"[tiab]',
        '"Blitzima"[tiab]',
    }


def test_audit_reads_stored_records_from_the_store(world) -> None:  # type: ignore[no-untyped-def]
    ctx, fake = world
    assert poll_search(ctx, "rtx").status == "ok"
    stored = stored_count(ctx)
    fake.served.clear()
    report = audit_search(ctx, "rtx")
    # The records the poll stored are not fetched again; only the broader query's others.
    assert report.fetched == report.broader_hits - stored
    assert MISSED <= set(fake.served) and len(fake.served) == report.fetched
    assert stored_count(ctx) == stored  # and none of them is stored
    with Session(ctx.engine) as s:
        assert audit_window(get_search(s, "rtx"), TODAY) == (date(2026, 1, 1), TODAY)


def test_audit_dates_narrow_the_window(world) -> None:  # type: ignore[no-untyped-def]
    ctx, _ = world
    report = audit_search(ctx, "rtx", since=CREATED, until=CREATED)
    assert report.window == (CREATED, CREATED)
    assert {m.pmid for m in report.missed} == MISSED
    before = audit_search(ctx, "rtx", until=date(2026, 10, 5))
    assert {m.pmid for m in before.missed} == set()


def test_audit_refuses_what_it_cannot_do(world) -> None:  # type: ignore[no-untyped-def]
    ctx, _ = world
    with pytest.raises(StoreError, match="no saved search named 'nope'"):
        audit_search(ctx, "nope")
    with pytest.raises(StoreError, match="starts after it ends"):
        audit_search(ctx, "rtx", since=date(2026, 11, 1), until=date(2026, 10, 1))
    with pytest.raises(QueryError, match="no separable disease block"):
        audit_search(ctx, "one-block")
    with pytest.raises(QueryError, match="more than the 10 an audit reads"):
        audit_search(ctx, "rtx", max_records=10)


def test_a_search_without_backfill_start_audits_everything(world) -> None:  # type: ignore[no-untyped-def]
    ctx, _ = world
    with Session(ctx.engine) as s:
        search = get_search(s, "one-block")
        assert audit_window(search, TODAY) == (EARLIEST, TODAY)
