"""Local full-text search on a real SQLite file (FTS5) and a real PostgreSQL (tsvector)."""

from __future__ import annotations

from datetime import UTC, date, datetime

import pytest
from alembic import command
from sqlalchemy import Engine, delete, update
from sqlmodel import Session, col

from litwatch.errors import SearchQueryError
from litwatch.records import AbstractSection, ArticleRecord
from litwatch.store.articles import mark_deleted, upsert_articles
from litwatch.store.engine import alembic_config, make_engine, migrate
from litwatch.store.fulltext import MAX_WORDS, marked, marked_hits, query_words, search_articles
from litwatch.store.tables import Article

NOW = datetime(2026, 12, 1, 9, 0, tzinfo=UTC)

# Our own small corpus: the word "quellase" is in two titles, in one abstract only, and
# missing from the rest; "tarrow syndrome" names the condition.
CORPUS = {
    "11": ("Quellase for tarrow syndrome: a randomised trial", "Quellase lowered the score."),
    "12": ("Skin outcomes in tarrow syndrome", "A cohort; quellase was given to some patients."),
    "13": ("Quellase and <i>QLS1</i> expression", "Laboratory work on cells, not patients."),
    "14": ("Lung function in tarrow syndrome", "No enzyme was studied."),
    "15": ("Trials &amp; errors: a commentary", "Why small trials of tarrow syndrome fail."),
}


def record(pmid: str, title: str, abstract: str, **kw: object) -> ArticleRecord:
    return ArticleRecord(
        pmid=pmid,
        title=title,
        abstract_sections=[AbstractSection("", "", abstract)],
        journal_title="Journal of Invented Dermatology",
        pub_year=2026,
        create_date=date(2026, 11, int(pmid) % 28 + 1),
        **kw,  # type: ignore[arg-type]
    )


def store_corpus(engine: Engine) -> None:
    with Session(engine) as s:
        upsert_articles(s, [record(p, t, a) for p, (t, a) in CORPUS.items()], now=NOW)
        s.commit()


@pytest.fixture
def engine(migrated_db_url: str):  # type: ignore[no-untyped-def]
    eng = make_engine(migrated_db_url)
    store_corpus(eng)
    yield eng
    eng.dispose()


def pmids(engine: Engine, query: str, **kw: object) -> list[str]:
    with Session(engine) as s:
        return [h.pmid for h in search_articles(s, query, **kw)]  # type: ignore[arg-type]


def test_title_matches_rank_above_abstract_matches(engine: Engine) -> None:
    found = pmids(engine, "quellase")
    assert set(found) == {"11", "12", "13"}
    assert found[-1] == "12"  # the only one without the word in its title
    with Session(engine) as s:
        scores = [h.score for h in search_articles(s, "quellase")]
    assert scores == sorted(scores, reverse=True)


def test_every_word_must_match_in_any_order_and_stemmed(engine: Engine) -> None:
    assert pmids(engine, "syndrome QUELLASE") == ["11", "12"]
    assert set(pmids(engine, "trials")) == {"11", "15"}
    assert pmids(engine, "quellase lung") == []


def test_limit_offset_and_since(engine: Engine) -> None:
    everything = pmids(engine, "tarrow")
    assert len(everything) == 4
    assert pmids(engine, "tarrow", limit=2) == everything[:2]
    assert pmids(engine, "tarrow", limit=2, offset=2) == everything[2:]
    assert set(pmids(engine, "tarrow", since=date(2026, 11, 15))) == {"14", "15"}


def test_matched_words_are_marked_and_tags_dropped(engine: Engine) -> None:
    with Session(engine) as s:
        hits = {h.pmid: h for h in search_articles(s, "quellase qls1")}
    assert list(hits) == ["13"]
    title = hits["13"].title
    assert title.plain == "Quellase and QLS1 expression"
    assert [p for p, hit in title.pieces if hit] == ["Quellase", "QLS1"]
    assert hits["13"].matched == ["quellase", "qls1"]
    with Session(engine) as s:
        [hit] = search_articles(s, "cohort")
    assert [p for p, m in hit.snippet.pieces if m] == ["cohort"]
    assert "cohort" in hit.snippet.plain and "<" not in hit.snippet.plain


def test_entities_come_back_as_text(engine: Engine) -> None:
    with Session(engine) as s:
        [hit] = search_articles(s, "commentary")
    assert hit.title.plain == "Trials & errors: a commentary"


@pytest.mark.parametrize(
    "query",
    [
        '"',
        '"quellase',
        "quell*",
        "quellase AND",
        "AND OR NOT",
        "-quellase",
        "title:quellase",
        "quellase NEAR( tarrow",
        "(quellase",
        "quellase^",
        "'; DROP TABLE article; --",
        "!&|<->:*",
    ],
)
def test_hostile_input_never_raises(engine: Engine, query: str) -> None:
    try:
        found = pmids(engine, query)
    except SearchQueryError:
        return  # nothing left to search for is a clear error, not a crash
    if [w.lower() for w in query_words(query)] == ["quellase"]:
        assert set(found) == {"11", "12", "13"}
    assert set(found) <= set(CORPUS)
    assert pmids(engine, "quellase")  # the table is still there


def test_operator_words_are_searched_as_words(engine: Engine) -> None:
    with Session(engine) as s:
        upsert_articles(s, [record("16", "Not and or near", "Plain words.")], now=NOW)
        s.commit()
    assert "16" in pmids(engine, "NEAR")
    assert pmids(engine, "-quellase") == pmids(engine, "quellase")


@pytest.mark.parametrize("query", ["", "   ", "!!!", '"*"'])
def test_empty_query_is_a_clear_error(engine: Engine, query: str) -> None:
    with Session(engine) as s, pytest.raises(SearchQueryError, match="at least one word"):
        search_articles(s, query)


def test_too_many_words_is_a_clear_error(engine: Engine) -> None:
    with Session(engine) as s, pytest.raises(SearchQueryError, match=f"at most {MAX_WORDS}"):
        search_articles(s, " ".join(["quellase"] * (MAX_WORDS + 1)))


def test_update_and_delete_are_kept_in_step(engine: Engine) -> None:
    with Session(engine) as s:
        upsert_articles(s, [record("14", "Quellase in lung disease", "Changed.")], now=NOW)
        s.commit()
    assert "14" in pmids(engine, "quellase")
    assert pmids(engine, "lung function") == []
    with Session(engine) as s:  # a flag changing does not touch the index
        s.execute(update(Article).where(col(Article.pmid) == "14").values(retracted=True))
        mark_deleted(s, ["11"], now=NOW)
        s.commit()
    assert "11" not in pmids(engine, "quellase")
    assert "14" in pmids(engine, "quellase")
    with Session(engine) as s:
        s.execute(delete(Article).where(col(Article.pmid) == "14"))
        s.commit()
    assert pmids(engine, "quellase") == ["13", "12"]  # title match first
    assert pmids(engine, "lung") == []


def test_an_article_stored_again_after_deletion_is_found_again(engine: Engine) -> None:
    with Session(engine) as s:
        mark_deleted(s, ["11"], now=NOW)
        s.commit()
    assert "11" not in pmids(engine, "quellase")
    with Session(engine) as s:  # PubMed brings it back, with a new title
        upsert_articles(s, [record("11", "Quellase again", "Back in the index.")], now=NOW)
        s.commit()
    assert "11" in pmids(engine, "quellase again")
    assert pmids(engine, "randomised") == []


def test_migration_indexes_rows_already_stored(db_url: str) -> None:
    eng = make_engine(db_url)
    migrate(eng)  # stored by today's store, then taken back to before the index
    store_corpus(eng)
    with Session(eng) as s:
        mark_deleted(s, ["13"], now=NOW)
        s.commit()
    command.downgrade(alembic_config(eng), "0009")
    command.upgrade(alembic_config(eng), "0010")
    assert set(pmids(eng, "quellase")) == {"11", "12"}  # the deleted one left out
    command.downgrade(alembic_config(eng), "0009")
    migrate(eng)
    assert set(pmids(eng, "tarrow syndrome")) == {"11", "12", "14", "15"}
    eng.dispose()


@pytest.mark.parametrize(
    ("raw", "pieces"),
    [
        ("", ()),
        ("plain", (("plain", False),)),
        ("a \x02b\x03 c", (("a ", False), ("b", True), (" c", False))),
        ("<i>\x02x\x03</i> &lt;y&gt;", (("x", True), (" <y>", False))),
        ("stray \x02 marker", (("stray marker", False),)),
    ],
)
def test_marked_pieces(raw: str, pieces: tuple[tuple[str, bool], ...]) -> None:
    assert marked(raw).pieces == pieces


def test_ranking_is_bounded_to_the_newest_matches(migrated_db_url: str) -> None:
    """With more matches than ``candidates``, only the newest that many are ranked; with
    fewer, every match is, whatever the bound."""
    eng = make_engine(migrated_db_url)
    # Ten articles with the word, stored oldest first; the best match (the word twice in
    # its title) is the oldest, so a bounded ranking leaves it out.
    rows = [record("201", "Zentrase and zentrase again", "About zentrase.")]
    rows += [record(str(202 + i), f"Report {i}", "It mentions zentrase once.") for i in range(9)]
    with Session(eng) as s:
        for r in rows:
            upsert_articles(s, [r], now=NOW)
        s.commit()
    assert pmids(eng, "zentrase", limit=3)[0] == "201"
    assert pmids(eng, "zentrase", limit=3, candidates=10)[0] == "201"
    bounded = pmids(eng, "zentrase", limit=3, candidates=4)
    assert "201" not in bounded and set(bounded) <= {"207", "208", "209", "210"}
    # Pages past the bound widen it: no page comes back short for it.
    assert len(pmids(eng, "zentrase", limit=3, offset=6, candidates=4)) == 3
    eng.dispose()


def test_a_list_found_elsewhere_gets_its_words_marked(engine: Engine) -> None:
    with Session(engine) as s:
        ranked = {h.pmid: h for h in search_articles(s, "quellase")}
        marked_only = marked_hits(s, "quellase", ["11", "12", "14", "99"])
        assert marked_hits(s, "quellase", []) == {}
    # Only those of the list the words match, marked as the ranked search marks them.
    assert set(marked_only) == {"11", "12"}
    for pmid, hit in marked_only.items():
        assert hit.title == ranked[pmid].title and hit.snippet == ranked[pmid].snippet
        assert hit.matched == ["quellase"]


def _fts_consistent(engine: Engine) -> None:
    """FTS5's own check that the index holds exactly what the article table holds (raises
    when a row is missing or indexed twice)."""
    with Session(engine) as s:
        s.connection().exec_driver_sql(
            "INSERT INTO article_fts(article_fts, rank) VALUES ('integrity-check', 1)"
        )


def test_the_store_indexes_what_it_inserts_once(migrated_sqlite_url: str, monkeypatch) -> None:  # type: ignore[no-untyped-def]
    import litwatch.store.articles as articles

    eng = make_engine(migrated_sqlite_url)
    store_corpus(eng)
    _fts_consistent(eng)
    # Another writer stored "12" between this writer's look and its insert: the insert
    # skips it (ON CONFLICT), and so must the index.
    monkeypatch.setattr(articles, "stored_hashes", lambda _s, _p: {})
    with Session(eng) as s:
        result = upsert_articles(
            s, [record("12", "Quellase twice", "Once."), record("16", "Orvane", "New.")], now=NOW
        )
        s.commit()
    assert set(result.new) == {"12", "16"}  # as it looked to this writer
    _fts_consistent(eng)
    assert pmids(eng, "orvane") == ["16"]
    assert pmids(eng, "quellase twice") == []  # "12" keeps its first text
    assert pmids(eng, "quellase").count("12") == 1
    eng.dispose()
