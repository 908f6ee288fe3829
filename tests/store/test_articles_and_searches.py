"""The store on a real SQLite file and a real PostgreSQL database."""

from __future__ import annotations

from datetime import UTC, date, datetime, timedelta

import pytest
from sqlmodel import Session, select

from litwatch.errors import StoreError
from litwatch.jobs.locks import job_lock
from litwatch.records import ArticleRecord, Author, CommentCorrection
from litwatch.store.articles import (
    article_record,
    get_article,
    mark_deleted,
    record_hits,
    upsert_articles,
)
from litwatch.store.engine import make_engine, migrate
from litwatch.store.runs import recent_poll_runs, start_poll_run
from litwatch.store.searches import (
    add_search,
    current_query_version,
    get_search,
    remove_search,
    search_article_count,
    set_search_query,
)
from litwatch.store.tables import Article, SearchHit

NOW = datetime(2026, 11, 20, 8, 0, tzinfo=UTC)


def record(
    pmid: str, title: str = "Rituximab in systemic sclerosis", **kw: object
) -> ArticleRecord:
    return ArticleRecord(
        pmid=pmid,
        title=title,
        authors=[Author(last_name="Okafor", fore_name="Ada", initials="A")],
        journal_title="Journal of Made-up Rheumatology",
        pub_year=2026,
        pub_date=date(2026, 11, 1),
        create_date=date(2026, 11, 18),
        publication_types=["Journal Article"],
        **kw,  # type: ignore[arg-type]
    )


@pytest.fixture
def engine(migrated_db_url: str):  # type: ignore[no-untyped-def]
    eng = make_engine(migrated_db_url)
    yield eng
    eng.dispose()


def test_migrate_from_empty_then_again_is_harmless(db_url: str) -> None:
    eng = make_engine(db_url)
    migrate(eng)
    migrate(eng)
    with Session(eng) as s:
        assert s.exec(select(Article)).all() == []
    eng.dispose()


def test_upsert_new_changed_unchanged(engine) -> None:  # type: ignore[no-untyped-def]
    with Session(engine) as s:
        r = upsert_articles(s, [record("101"), record("102")], now=NOW)
        s.commit()
        assert sorted(r.new) == ["101", "102"] and not r.updated
        later = NOW + timedelta(days=1)
        r = upsert_articles(
            s, [record("101"), record("102", title="Rituximab in SSc: corrected")], now=later
        )
        s.commit()
        assert r.unchanged == ["101"] and r.updated == ["102"] and not r.new
        rows = {a.pmid: a for a in s.exec(select(Article))}
        assert len(rows) == 2
        assert rows["102"].title == "Rituximab in SSc: corrected"
        assert rows["102"].first_seen == NOW and rows["102"].updated_at == later
        assert rows["101"].updated_at == NOW and rows["101"].fetched_at == later
        # The full record round-trips through the JSON column.
        assert article_record(rows["101"]) == record("101")


def test_same_pmid_twice_in_one_batch_is_stored_once(engine) -> None:  # type: ignore[no-untyped-def]
    with Session(engine) as s:
        r = upsert_articles(s, [record("7"), record("7", title="second")], now=NOW)
        s.commit()
        assert r.new == ["7"]
        assert [a.title for a in s.exec(select(Article))] == ["second"]


def test_retraction_flag_and_deletion(engine) -> None:  # type: ignore[no-untyped-def]
    retracted = record(
        "55", comments_corrections=[CommentCorrection("RetractionIn", "66", "J 2026")]
    )
    with Session(engine) as s:
        upsert_articles(s, [retracted, record("56")], now=NOW)
        assert mark_deleted(s, ["56", "999"], now=NOW) == 1
        s.commit()
        assert get_article(s, "55").retracted  # type: ignore[union-attr]
        assert get_article(s, "56").deleted  # type: ignore[union-attr]


def test_hits_are_recorded_once(engine) -> None:  # type: ignore[no-untyped-def]
    with Session(engine) as s:
        search = add_search(s, "ssc", "rituximab AND scleroderma", now=NOW)
        upsert_articles(s, [record("1"), record("2")], now=NOW)
        assert record_hits(s, search.id, ["1", "2"], now=NOW) == 2
        assert record_hits(s, search.id, ["2"], now=NOW + timedelta(hours=1)) == 0
        s.commit()
        hits = s.exec(select(SearchHit)).all()
        assert len(hits) == 2 and all(h.first_seen == NOW for h in hits)
        assert search_article_count(s, search.id) == 2


def test_search_names_are_unique_and_queries_versioned(engine) -> None:  # type: ignore[no-untyped-def]
    with Session(engine) as s:
        search = add_search(s, "ssc", "a", now=NOW)
        with pytest.raises(StoreError, match="already exists"):
            add_search(s, "ssc", "b", now=NOW)
        set_search_query(s, search, "a OR b", now=NOW + timedelta(days=1))
        s.commit()
        version = current_query_version(s, search)
        assert version is not None and version.query == "a OR b"
        run = start_poll_run(s, search, now=NOW, window=(date(2026, 1, 1), date(2026, 2, 1)))
        s.commit()
        [(got, name, query)] = recent_poll_runs(s)
        assert (got.id, name, query) == (run.id, "ssc", "a OR b")
        remove_search(s, "ssc")
        s.commit()
        with pytest.raises(StoreError, match="no saved search"):
            get_search(s, "ssc")


def test_stored_times_are_utc_aware(engine) -> None:  # type: ignore[no-untyped-def]
    with Session(engine) as s:
        upsert_articles(s, [record("1")], now=NOW)
        s.commit()
    with Session(engine) as s:
        a = get_article(s, "1")
        assert a is not None and a.first_seen == NOW and a.first_seen.tzinfo is not None


def test_job_lock_is_exclusive(engine) -> None:  # type: ignore[no-untyped-def]
    with job_lock(engine, "poll:x") as first:
        assert first
        with job_lock(engine, "poll:x") as second:
            assert not second
        with job_lock(engine, "poll:y") as other:
            assert other
    with job_lock(engine, "poll:x") as again:
        assert again


def test_expired_sqlite_lease_is_taken_over(sqlite_url: str) -> None:
    eng = make_engine(sqlite_url)
    migrate(eng)
    with job_lock(eng, "digest", ttl=timedelta(seconds=-1)) as first:
        assert first  # a lease that is already expired: a crashed holder
        with job_lock(eng, "digest") as second:
            assert second
