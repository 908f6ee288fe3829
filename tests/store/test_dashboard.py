"""The dashboard's queries on SQLite and PostgreSQL: the word filter, the sorts, the
sections and the bounded counts give the same answers on both."""

from __future__ import annotations

from datetime import timedelta
from typing import Any

from sqlmodel import Session

from litwatch.judging.classify_stored import classify_pmids
from litwatch.judging.knowledge_file import load_knowledge_base
from litwatch.store.articles import upsert_articles
from litwatch.store.dashboard import (
    DashboardFilter,
    section_count,
    section_head,
    section_page,
)
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
        head, count = section_head(session, everything, "new", shown=2, cap=10)
        assert [a.pmid for a, _ in head] == [OFF, EVIL] and count == 3
        head, count = section_head(session, everything, "new", shown=1, cap=2)
        assert [a.pmid for a, _ in head] == [OFF] and count == 2
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

    from litwatch.store.engine import alembic_config, migrate
    from litwatch.store.tables import FLAG_COLUMNS, ClassificationRow

    engine = _demo_store(db_url)

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


def _demo_store(db_url: str) -> Any:
    from litwatch.fake_eutils.democorpus import DEMO_DIR
    from litwatch.pubmed.parser import parse_pubmed_xml
    from litwatch.store.engine import migrate

    engine = make_engine(db_url)
    migrate(engine)
    records = [a for p in sorted(DEMO_DIR.glob("*.xml")) for a in parse_pubmed_xml(p).articles]
    with Session(engine) as session:
        for i, record in enumerate(records):  # a moment each, some at the same moment
            upsert_articles(session, [record], now=NOW - timedelta(minutes=i // 3))
        session.commit()
        classify_pmids(session, [r.pmid for r in records], kb=load_knowledge_base(), now=NOW)
        session.commit()
    return engine


def test_the_sorts_walk_in_the_order_a_full_sort_gives(db_url: str) -> None:
    from sqlmodel import select

    from litwatch.store.tables import Article, ClassificationRow

    engine = _demo_store(db_url)
    rank = {"core": 0, "related": 1, "off": 2}
    with Session(engine) as session:
        rows = session.exec(
            select(Article, ClassificationRow).join(
                ClassificationRow, ClassificationRow.pmid == Article.pmid
            )
        ).all()
        designs = sorted({c.design for _, c in rows})
        assert any(c.n is None for _, c in rows) and any(c.n for _, c in rows)
        for relevance in (("core", "related"), ("core", "related", "off"), ("related",)):
            for design in ("", *designs):
                kept = [
                    (a, c)
                    for a, c in rows
                    if c.relevance in relevance and (not design or c.design == design)
                ]
                newest = sorted(kept, key=lambda ac: (ac[0].first_seen, ac[0].id), reverse=True)
                expected = {
                    "relevance": sorted(
                        newest, key=lambda ac: (rank[ac[1].relevance], -ac[1].priority)
                    ),
                    "n": sorted(newest, key=lambda ac: (ac[1].n is None, -(ac[1].n or 0))),
                }
                for sort, order in expected.items():
                    wanted = DashboardFilter(
                        since=NOW - timedelta(days=30), relevance=relevance, design=design,
                        sort=sort,
                    )  # fmt: skip
                    got, offset, more = [], 0, True
                    while more:  # page by page, as the dashboard asks
                        page, more = section_page(session, wanted, "new", limit=7, offset=offset)
                        got += [a.pmid for a, _ in page]
                        offset += 7
                    assert got == [a.pmid for a, _ in order], (sort, relevance, design)
    engine.dispose()


def test_migrations_0013_0014_add_n_and_the_indexes_and_fill_n(db_url: str) -> None:
    from alembic import command
    from sqlalchemy import inspect
    from sqlmodel import select

    from litwatch.store.classifications import study_size
    from litwatch.store.engine import alembic_config, migrate
    from litwatch.store.tables import ClassificationRow

    engine = _demo_store(db_url)

    def n_column() -> dict[str, int | None]:
        with Session(engine) as session:
            rows = session.exec(select(ClassificationRow)).all()
            expected = {r.pmid: study_size(r.data.get("numbers", {}).get("n")) for r in rows}
            got = {r.pmid: r.n for r in rows}
        assert got == expected
        return got

    saved = n_column()
    assert sum(1 for n in saved.values() if n) >= 5
    names = {str(i["name"]) for i in inspect(engine).get_indexes("classification")}
    assert {"ix_classification_rank", "ix_classification_n"} <= names
    assert "ix_classification_classified_at" in names
    article = {str(i["name"]) for i in inspect(engine).get_indexes("article")}
    assert {"ix_article_retracted", "ix_article_updated_at"} <= article
    command.downgrade(alembic_config(engine), "0012")
    after = {str(i["name"]) for i in inspect(engine).get_indexes("classification")}
    assert not {"ix_classification_n", "ix_classification_classified_at"} & after
    migrate(engine)  # 0014 fills n from the JSON stored
    assert n_column() == saved
    engine.dispose()


def test_study_size_keeps_whole_numbers_only() -> None:
    from litwatch.store.classifications import study_size

    assert [study_size(v) for v in (12, 12.0, 12.5, True, "12", None, 0)] == [
        12, 12, None, None, None, None, 0,
    ]  # fmt: skip
