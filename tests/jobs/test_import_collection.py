"""Importing a file as a collection: .nbib records stored and judged, PMID lists fetched from
the fake E-utilities server, bad records reported, bad files storing nothing."""

from __future__ import annotations

import io
from collections.abc import Iterator

import pytest
from sqlmodel import Session, select

from litwatch.context import Context
from litwatch.errors import ImportFileError
from litwatch.export.formats import write_export
from litwatch.export.rows import ExportRow
from litwatch.fake_eutils.democorpus import load_demo_corpus
from litwatch.jobs.import_collection import import_file, read_pmid_list
from litwatch.store.articles import get_article, upsert_articles
from litwatch.store.classifications import get_classification
from litwatch.store.collections import collection_pmids, list_collections
from litwatch.store.tables import Article, Collection
from tests.helpers.e2e import Clock, fake_eutils, make_context
from tests.web.test_app import EVIL, OFF, RCT, articles


def nbib_of(rows: list[ExportRow]) -> bytes:
    out = io.StringIO()
    write_export(rows, "medline", out)
    return out.getvalue().encode()


@pytest.fixture(scope="module")
def demo() -> Iterator[tuple[list[str], str]]:
    corpus = load_demo_corpus()
    with fake_eutils(corpus) as (_, base_url):
        yield corpus.pmids()[:3], base_url


@pytest.fixture
def ctx(migrated_db_url: str, demo: tuple[list[str], str]) -> Iterator[Context]:
    with make_context(migrated_db_url, demo[1], Clock()) as context:
        yield context


def test_an_nbib_file_becomes_a_judged_collection(ctx: Context) -> None:
    data = nbib_of([ExportRow(a) for a in articles()])
    # A record without a PMID in the middle is reported; the others go in.
    data = data.replace(b"\n\nPMID- 90000002", b"\n\nTI  - a stray record\n\nPMID- 90000002")
    summary = import_file(ctx, "from-nbib", data)
    assert summary.kind == "nbib"
    assert summary.pmids == [RCT, EVIL, OFF]
    assert (summary.added, summary.stored_new) == (3, 3)
    assert summary.problems == ["record 2: no PMID line"]
    with Session(ctx.engine) as session:
        assert collection_pmids(session, "from-nbib") == [RCT, EVIL, OFF]
        judged = get_classification(session, RCT)
        assert judged is not None and judged.relevance == "core"  # judged like a polled one
        assert any(j.finding_id == "mrss-improvement" for j in judged.findings)
        [listed] = list_collections(session)
        assert (listed.name, listed.articles) == ("from-nbib", 3)
    again = import_file(ctx, "from-nbib", data)
    assert (again.added, again.stored_new) == (0, 0)  # each article once


def test_a_stored_article_keeps_its_record(ctx: Context) -> None:
    with Session(ctx.engine) as session:
        upsert_articles(session, articles()[:1], now=ctx.now())
        session.commit()
    rough = b"PMID- 90000001\nTI  - A shorter title from a file\n"
    summary = import_file(ctx, "mine", rough)
    assert (summary.pmids, summary.stored_new) == ([RCT], 0)
    with Session(ctx.engine) as session:
        row = get_article(session, RCT)
        assert row is not None and row.title.startswith("Rituximab improves skin")


def test_a_pmid_list_is_fetched_through_eutils(ctx: Context, demo: tuple[list[str], str]) -> None:
    first, second, third = demo[0]
    text = f"# my list\n{first}, {second}\nnot-a-pmid\n{third} 99999999\n{first}\n"
    summary = import_file(ctx, "from-pmids", text.encode())
    assert summary.kind == "pmids"
    assert summary.pmids == [first, second, third]
    assert summary.stored_new == 3
    assert summary.problems == [
        "line 3: 'not-a-pmid' is not a PMID",
        "PMID 99999999: not found in PubMed",
    ]
    with Session(ctx.engine) as session:
        assert set(collection_pmids(session, "from-pmids")) == {first, second, third}
        assert all(get_classification(session, p) is not None for p in (first, second, third))


@pytest.mark.parametrize(
    ("data", "message"),
    [
        (b"", "neither a PubMed .nbib file nor a list of PMIDs"),
        (b"hello world\n", "line 1: 'hello' is not a PMID"),
        (b"\x89PNG\r\n\x1a\n\0\0", "not a text file"),
        (b"PMID- abc\nTI  - x\n", "no MEDLINE record with a PMID: record 1: PMID 'abc'"),
        (b"99999998\n99999999\n", "none of its PMIDs could be fetched"),
    ],
)
def test_a_file_with_nothing_usable_stores_nothing(ctx: Context, data: bytes, message: str) -> None:
    with pytest.raises(ImportFileError) as excinfo:
        import_file(ctx, "broken", data)
    assert message in str(excinfo.value)
    with Session(ctx.engine) as session:
        assert session.exec(select(Collection)).first() is None
        assert session.exec(select(Article)).first() is None


def test_the_collection_name_must_be_a_slug(ctx: Context) -> None:
    with pytest.raises(ImportFileError, match="not a slug"):
        import_file(ctx, "My List", b"123\n")
    with pytest.raises(ImportFileError, match="needs a name"):
        import_file(ctx, " ", b"123\n")


def test_read_pmid_list() -> None:
    assert read_pmid_list("0123\n123;456 # note\n\n7,8") == (["123", "456", "7", "8"], [])
    assert read_pmid_list("12a 0")[1] == [
        "line 1: '12a' is not a PMID",
        "line 1: '0' is not a PMID",
    ]
