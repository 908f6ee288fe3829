"""Collections and the feed's query, on SQLite and PostgreSQL; migration 0011 both ways."""

from __future__ import annotations

from datetime import UTC, datetime, timedelta

import pytest
from alembic import command
from sqlalchemy import inspect
from sqlmodel import Session

from litwatch.errors import StoreError
from litwatch.records import ArticleRecord, Classification
from litwatch.store.articles import mark_deleted, record_hits, upsert_articles
from litwatch.store.classifications import save_classifications
from litwatch.store.collections import (
    add_to_collection,
    collection_pmids,
    ensure_collection,
    list_collections,
)
from litwatch.store.engine import alembic_config, make_engine, migrate
from litwatch.store.exports import feed_articles
from litwatch.store.searches import add_search

NOW = datetime(2026, 5, 1, 8, 0, tzinfo=UTC)


def store(session: Session, relevance: dict[str, str]) -> None:
    upsert_articles(
        session, [ArticleRecord(pmid=p, title=f"Article {p}") for p in relevance], now=NOW
    )
    save_classifications(
        session,
        [
            (Classification(pmid=p, relevance=r, relevance_score=0.5, design="other"), [])
            for p, r in relevance.items()
        ],
        now=NOW,
    )
    session.commit()


def test_collections_keep_each_article_once(migrated_db_url: str) -> None:
    engine = make_engine(migrated_db_url)
    with Session(engine) as session:
        store(session, {"1": "core", "2": "off", "3": "related"})
        mine = ensure_collection(session, "mine", now=NOW)
        assert add_to_collection(session, mine, ["2", "1", "2"], now=NOW) == 2
        later = NOW + timedelta(hours=1)
        assert add_to_collection(session, mine, ["1", "3"], now=later) == 1
        assert ensure_collection(session, "mine", now=later).id == mine.id
        ensure_collection(session, "empty", now=NOW)
        session.commit()
        assert collection_pmids(session, "mine") == ["3", "2", "1"]  # newest addition first
        assert [(c.name, c.articles) for c in list_collections(session)] == [
            ("empty", 0),
            ("mine", 3),
        ]
        with pytest.raises(StoreError, match="no collection named 'other'"):
            collection_pmids(session, "other")
    engine.dispose()


def test_the_feed_reads_core_and_related_newest_first(migrated_db_url: str) -> None:
    engine = make_engine(migrated_db_url)
    with Session(engine) as session:
        store(session, {"1": "core", "2": "off", "3": "related", "4": "core", "5": "core"})
        search = add_search(session, "feed-me", "x[tiab]", now=NOW)
        other = add_search(session, "other", "y[tiab]", now=NOW)
        for hours, pmid in enumerate(["1", "2", "3", "4"]):
            record_hits(session, search.id, [pmid], now=NOW + timedelta(hours=hours))
        record_hits(session, other.id, ["5"], now=NOW)
        mark_deleted(session, ["4"], now=NOW)
        session.commit()
        found = feed_articles(session, "feed-me", ("core", "related"), 10)
        assert [(a.pmid, c.relevance) for a, c, _ in found] == [("3", "related"), ("1", "core")]
        assert found[0][2] == NOW + timedelta(hours=2)
        assert [a.pmid for a, _, _ in feed_articles(session, "feed-me", ("core",), 1)] == ["1"]
    engine.dispose()


def test_migration_0011_both_ways(db_url: str) -> None:
    engine = make_engine(db_url)
    migrate(engine)
    assert {"collection", "collection_article"} <= set(inspect(engine).get_table_names())
    command.downgrade(alembic_config(engine), "0010")
    assert "collection" not in set(inspect(engine).get_table_names())
    migrate(engine)
    assert "collection_article" in set(inspect(engine).get_table_names())
    engine.dispose()
