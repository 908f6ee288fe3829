"""A backfill larger than esearch's 9,999-id cap, through the fake E-utilities server."""

from __future__ import annotations

from datetime import date

import pytest
from sqlalchemy import func
from sqlmodel import Session, select

from litwatch.fake_eutils.corpus import Corpus
from litwatch.jobs.poll import poll_search
from litwatch.store.searches import add_search
from litwatch.store.tables import Article, SearchHit
from tests.helpers.e2e import Clock, fake_eutils, make_context
from tests.helpers.synthetic_records import TOPIC_QUERY, make_records

pytestmark = [pytest.mark.slow, pytest.mark.timeout(900)]

N = 20_400


def test_a_backfill_over_the_cap_is_split_by_date_and_stored_once(
    migrated_sqlite_url: str,
) -> None:
    corpus = Corpus()
    corpus.add_records(make_records(N, start_pmid=60_000_001, crdt_start=date(2024, 1, 1)))
    clock = Clock()
    with fake_eutils(corpus) as (fake, base_url):
        ctx = make_context(migrated_sqlite_url, base_url, clock, eutils_batch_size=500)
        with Session(ctx.engine) as s:
            add_search(s, "big", TOPIC_QUERY, now=clock())
            s.commit()
        summary = poll_search(ctx, "big")
        assert summary.status == "ok", summary.error
        assert (summary.found, summary.new, summary.failed) == (N, N, 0)
        searches = [r for r in fake.requests if r.path.endswith("esearch.fcgi")]
        # The whole window held 20,400 > 9,999 ids: it was split, and no slice hit the cap.
        assert len(searches) >= 3
        assert len(fake.served) == len(set(fake.served)) == N
        with Session(ctx.engine) as s:
            assert s.exec(select(func.count()).select_from(Article)).one() == N
            assert s.exec(select(func.count()).select_from(SearchHit)).one() == N
        # Nothing new: the next poll costs two requests.
        fake.reset_log()
        again = poll_search(ctx, "big")
        assert again.new == 0 and len(fake.requests) <= 2
        ctx.close()
