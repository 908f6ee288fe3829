"""The dashboard's queries on SQLite and PostgreSQL: the word filter, the sorts, the
sections and the bounded counts give the same answers on both."""

from __future__ import annotations

from datetime import timedelta

from sqlmodel import Session

from litwatch.judging.classify_stored import classify_pmids
from litwatch.judging.knowledge_file import load_knowledge_base
from litwatch.store.articles import upsert_articles
from litwatch.store.dashboard import DashboardFilter, section_count, section_page
from litwatch.store.engine import make_engine
from tests.web.test_app import EVIL, NOW, OFF, RCT, articles


def test_dashboard_queries(migrated_db_url: str) -> None:
    engine = make_engine(migrated_db_url)
    records = articles()
    with Session(engine) as session:
        for i, record in enumerate(records):  # RCT oldest, OFF newest
            upsert_articles(session, [record], now=NOW - timedelta(days=3 - i))
        session.commit()
        classify_pmids(session, [r.pmid for r in records], kb=load_knowledge_base(), now=NOW)
        session.commit()
        everything = DashboardFilter(
            since=NOW - timedelta(days=30), relevance=("core", "related", "off")
        )

        def pmids(wanted: DashboardFilter, section: str = "new") -> list[str]:
            rows, more = section_page(session, wanted, section, limit=10)
            assert not more
            return [a.pmid for a, _ in rows]

        assert pmids(everything) == [OFF, EVIL, RCT]
        assert pmids(DashboardFilter(**{**everything.__dict__, "sort": "oldest"})) == [
            RCT,
            EVIL,
            OFF,
        ]
        assert pmids(DashboardFilter(**{**everything.__dict__, "text": "pharmacists"})) == [OFF]
        assert pmids(DashboardFilter(**{**everything.__dict__, "text": "placebo rituximab"})) == [
            RCT
        ]
        assert pmids(DashboardFilter(**{**everything.__dict__, "design": "rct"})) == [RCT]
        by_n = pmids(DashboardFilter(**{**everything.__dict__, "sort": "n"}))
        assert by_n[:2] == [RCT, EVIL]  # 56 patients, then 30; the survey has no n
        recent = DashboardFilter(
            **{**everything.__dict__, "since": NOW - timedelta(days=1, hours=1)}
        )
        assert pmids(recent) == [OFF]
        page, more = section_page(session, everything, "new", limit=2, offset=0)
        assert [a.pmid for a, _ in page] == [OFF, EVIL] and more
        assert section_count(session, everything, "new", cap=10) == 3
        assert section_count(session, everything, "new", cap=2) == 2
        assert pmids(everything, "retractions") == []
    engine.dispose()


def test_the_migration_adds_and_removes_its_indexes(db_url: str) -> None:
    from alembic import command
    from sqlalchemy import inspect

    from litwatch.store.engine import alembic_config, migrate

    def indexes(table: str) -> set[str]:
        return {str(i["name"]) for i in inspect(engine).get_indexes(table)}

    engine = make_engine(db_url)
    migrate(engine)
    assert "ix_article_dashboard" in indexes("article")
    assert "ix_article_first_seen" not in indexes("article")
    assert "ix_classification_dashboard" in indexes("classification")
    assert "ix_article_finding_dashboard" in indexes("article_finding")
    command.downgrade(alembic_config(engine), "0011")
    assert "ix_article_first_seen" in indexes("article")
    assert "ix_article_dashboard" not in indexes("article")
    migrate(engine)
    assert "ix_article_dashboard" in indexes("article")
    engine.dispose()


def test_the_flag_columns_follow_the_flags_when_saved_and_when_migrated(db_url: str) -> None:
    from alembic import command
    from sqlmodel import select

    from litwatch.fake_eutils.democorpus import DEMO_DIR
    from litwatch.pubmed.parser import parse_pubmed_xml
    from litwatch.store.engine import alembic_config, migrate
    from litwatch.store.tables import FLAG_COLUMNS, ClassificationRow

    engine = make_engine(db_url)
    migrate(engine)
    records = [a for p in sorted(DEMO_DIR.glob("*.xml")) for a in parse_pubmed_xml(p).articles]
    with Session(engine) as session:
        upsert_articles(session, records, now=NOW)
        session.commit()
        classify_pmids(session, [r.pmid for r in records], kb=load_knowledge_base(), now=NOW)
        session.commit()

    def columns() -> dict[str, tuple[bool, ...]]:
        with Session(engine) as session:
            rows = session.exec(select(ClassificationRow)).all()
            expected = {
                r.pmid: tuple(bool(set(f) & set(r.flags)) for f in FLAG_COLUMNS.values())
                for r in rows
            }
            got = {r.pmid: (r.multicentre_rct, r.retraction, r.notice) for r in rows}
        assert got == expected
        return got

    saved = columns()
    for i in range(3):  # the demo corpus has each kind
        assert any(flags[i] for flags in saved.values())
    command.downgrade(alembic_config(engine), "0011")
    migrate(engine)  # 0012 fills the columns from the flags stored
    assert columns() == saved
    engine.dispose()
