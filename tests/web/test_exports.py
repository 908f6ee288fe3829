"""Downloads, feeds and the collections pages over HTTP, each file read back with the library
a reference manager or feed reader would use (rispy, bibtexparser, Biopython, feedparser)."""

from __future__ import annotations

import csv
import io
import re
from collections.abc import Iterator
from datetime import timedelta

import bibtexparser
import feedparser
import httpx
import pytest
import rispy
from Bio import Medline
from sqlmodel import Session

from litwatch.context import Context
from litwatch.export.formats import write_export
from litwatch.export.rows import ExportRow
from litwatch.judging.classify_stored import classify_pmids
from litwatch.records import AbstractSection, ArticleRecord, CommentCorrection
from litwatch.store.articles import record_hits, upsert_articles
from litwatch.store.classifications import get_classification
from litwatch.store.searches import add_search
from litwatch.web.feeds import feed_token
from tests.web.test_app import (
    BEARER,
    EVIL,
    NOW,
    OFF,
    RCT,
    SECRET,
    app_client,
    articles,
    log_in,
    make_context,
)

SEARCH = "rtx-test"
RETRACTED = "90000009"
PEMPHIGUS = "90000011"  # off-topic: rituximab, but not in SSc
ALL = {RCT, EVIL, OFF, RETRACTED, PEMPHIGUS}


def retracted_article() -> ArticleRecord:
    return ArticleRecord(
        pmid=RETRACTED,
        title="Rituximab for skin thickening in systemic sclerosis: an open-label cohort",
        abstract_sections=[
            AbstractSection(
                "",
                "",
                "We treated 20 patients with diffuse cutaneous systemic sclerosis with "
                "rituximab. The mRSS decreased significantly from 24 to 15 (p<0.01).",
            )
        ],
        journal_title="Made-up Rheumatology Letters",
        pub_year=2023,
        publication_types=["Journal Article"],
        comments_corrections=[CommentCorrection("RetractionIn", pmid="90000010")],
    )


def pemphigus_article() -> ArticleRecord:
    return ArticleRecord(
        pmid=PEMPHIGUS,
        title="Rituximab in pemphigus vulgaris: a retrospective cohort",
        abstract_sections=[
            AbstractSection(
                "", "", "We followed 40 patients with pemphigus vulgaris given rituximab."
            )
        ],
        journal_title="Made-up Dermatology",
        pub_year=2024,
        publication_types=["Journal Article"],
    )


def fill(ctx: Context) -> None:
    """A saved search that found the five articles, a day apart (the retracted one last)."""
    with Session(ctx.engine) as session:
        upsert_articles(session, [retracted_article(), pemphigus_article()], now=NOW)
        session.commit()
        classify_pmids(session, [RETRACTED, PEMPHIGUS], kb=ctx.knowledge_base, now=NOW)
        search = add_search(session, SEARCH, "rituximab[tiab]", now=NOW)
        for days, pmid in enumerate([PEMPHIGUS, OFF, EVIL, RCT, RETRACTED]):
            record_hits(session, search.id, [pmid], now=NOW + timedelta(days=days))
        session.commit()


@pytest.fixture
def world(seeded_url: str) -> Iterator[tuple[Context, httpx.Client]]:
    with make_context(seeded_url) as ctx:
        fill(ctx)
        with app_client(ctx) as client:
            yield ctx, client


def download(client: httpx.Client, url: str) -> httpx.Response:
    answer = client.get(url)
    assert answer.status_code == 200, answer.text[:300]
    return answer


def test_a_saved_search_in_every_format(world: tuple[Context, httpx.Client]) -> None:
    _, client = world
    page = client.get(f"/searches/{SEARCH}")
    links = dict(re.findall(r'<a href="(/export/[^"]+)" download[^>]*>([^<]+)</a>', page.text))
    assert set(links.values()) == {"CSV", "RIS", "BibTeX", "MEDLINE (.nbib)"}
    expected = ALL
    by_format = {fmt: url.replace("&amp;", "&") for url, fmt in links.items()}

    answer = download(client, by_format["CSV"])
    assert answer.headers["content-type"] == "text/csv; charset=utf-8"
    assert answer.headers["content-disposition"] == (
        f'attachment; filename="litwatch-search-{SEARCH}.csv"'
    )
    table = {r["pmid"]: r for r in csv.DictReader(io.StringIO(answer.text))}
    assert set(table) == expected
    assert table[RETRACTED]["retracted"] == "true" and table[RCT]["retracted"] == "false"
    assert table[RCT]["relevance"] == "core"

    answer = download(client, by_format["RIS"])
    assert answer.headers["content-type"].startswith("application/x-research-info-systems")
    assert answer.headers["content-disposition"].endswith('.ris"')
    entries = {e["accession_number"]: e for e in rispy.loads(answer.text)}
    assert set(entries) == expected
    assert entries[RCT]["title"].startswith("Rituximab improves skin fibrosis")
    assert entries[RETRACTED]["notes"][0].startswith("RETRACTED.")
    assert not entries[RCT]["notes"][0].startswith("RETRACTED.")

    answer = download(client, by_format["BibTeX"])
    assert answer.headers["content-type"].startswith("application/x-bibtex")
    assert answer.headers["content-disposition"].endswith('.bib"')
    library = bibtexparser.parse_string(answer.text)
    assert not library.failed_blocks
    bib = {e.fields_dict["pmid"].value: e for e in library.entries}
    assert set(bib) == expected
    assert bib[RETRACTED].fields_dict["note"].value.startswith("RETRACTED.")

    answer = download(client, by_format["MEDLINE (.nbib)"])
    assert answer.headers["content-type"].startswith("application/nbib")
    assert answer.headers["content-disposition"].endswith('.nbib"')
    records = {r["PMID"]: r for r in Medline.parse(io.StringIO(answer.text))}
    assert set(records) == expected
    assert "Retracted Publication" in records[RETRACTED]["PT"]
    assert records[RCT]["TI"].startswith("Rituximab improves skin fibrosis")


def test_a_finding_table_exports_what_its_filters_show(
    world: tuple[Context, httpx.Client],
) -> None:
    _, client = world
    page = client.get("/evidence/mrss-improvement", params={"stance": "supports"})
    shown = set(re.findall(r'<a href="/article/(\d+)"', page.text.split('id="evidence"')[1]))
    url = re.search(r'<a href="(/export/ris[^"]+)" download', page.text)
    assert url is not None and "stance=supports" in url.group(1)
    answer = download(client, url.group(1).replace("&amp;", "&"))
    assert answer.headers["content-disposition"] == (
        'attachment; filename="litwatch-evidence-mrss-improvement-supports.ris"'
    )
    assert {e["accession_number"] for e in rispy.loads(answer.text)} == shown
    assert RCT in shown
    none = download(client, "/export/csv?finding=mrss-improvement&design=guideline")
    assert list(csv.DictReader(io.StringIO(none.text))) == []


def test_search_results_export_in_the_page_order(world: tuple[Context, httpx.Client]) -> None:
    _, client = world
    page = client.get("/", params={"q": "rituximab sclerosis", "local": "1", "limit": "3"})
    order = re.findall(r'href="/article/(\d+)" class="title"', page.text)
    assert len(order) == 3
    url = re.search(r'<a href="(/export/medline[^"]+)" download', page.text)
    assert url is not None
    answer = download(client, url.group(1).replace("&amp;", "&"))
    assert [r["PMID"] for r in Medline.parse(io.StringIO(answer.text))] == order
    only_core = download(client, "/export/csv?search=rtx-test&relevance=core")
    with Session(world[0].engine) as session:
        judged = {p: get_classification(session, p) for p in ALL}
    core = {p for p, c in judged.items() if c is not None and c.relevance == "core"}
    assert core and core != ALL
    assert {r["pmid"] for r in csv.DictReader(io.StringIO(only_core.text))} == core


@pytest.mark.parametrize(
    ("url", "status", "words"),
    [
        ("/export/docx?search=rtx-test", 404, "Unknown format"),
        ("/export/csv?search=nope", 404, "no saved search"),
        ("/export/csv?collection=nope", 404, "no collection"),
        ("/export/csv?finding=nope", 404, "no known finding"),
        ("/export/csv?finding=mrss-improvement&design=poem", 422, "Unknown design"),
        ("/export/csv?search=rtx-test&relevance=maybe", 422, "Unknown relevance"),
        ("/export/csv?search=rtx-test&finding=mrss-improvement", 422, "not search and finding"),
        ("/export/csv?q=rituximab&local=1&limit=zero", 422, "whole number"),
        ("/export/csv?q=***&local=1", 422, "at least one word"),
    ],
)
def test_bad_export_requests_say_why(
    world: tuple[Context, httpx.Client], url: str, status: int, words: str
) -> None:
    answer = world[1].get(url)
    assert answer.status_code == status
    assert words in answer.text


def test_the_whole_store_and_jsonl(world: tuple[Context, httpx.Client]) -> None:
    answer = download(world[1], "/export/jsonl")
    assert answer.headers["content-disposition"] == 'attachment; filename="litwatch-all.jsonl"'
    assert len(answer.text.splitlines()) == len(ALL)


# --- the Atom feed -----------------------------------------------------------------------


def test_the_feed_lists_core_and_related_newest_first(
    world: tuple[Context, httpx.Client],
) -> None:
    ctx, client = world
    page = client.get(f"/searches/{SEARCH}")
    link = re.search(r'<a href="([^"]+)" id="feed-link"', page.text)
    assert link is not None
    url = link.group(1).replace("&amp;", "&")
    assert url.endswith(f"/feeds/{SEARCH}.atom?token={feed_token(SECRET, SEARCH)}")
    assert re.search(
        r'<link rel="alternate" type="application/atom\+xml"[^>]+href="([^"]+)"', page.text
    )
    base = ctx.settings.base_url.rstrip("/")
    assert url.startswith(f"{base}/feeds/")
    answer = download(client, url.removeprefix(base))
    assert answer.headers["content-type"] == "application/atom+xml; charset=utf-8"
    feed = feedparser.parse(answer.content)
    assert not feed.bozo, feed.bozo_exception
    assert feed.feed.title == f"litwatch: {SEARCH}"
    with Session(ctx.engine) as session:
        newest = (RETRACTED, RCT, EVIL, OFF, PEMPHIGUS)
        judged = {p: get_classification(session, p) for p in newest}
    wanted = [p for p, c in judged.items() if c and c.relevance in ("core", "related")]
    assert PEMPHIGUS not in wanted and RCT in wanted
    pmids = [e.link.rsplit("/", 1)[1] for e in feed.entries]
    assert pmids == wanted  # newest found first
    first = feed.entries[0]
    assert first.title.startswith("[RETRACTED] Rituximab for skin thickening")
    assert first.summary.startswith("RETRACTED.")
    rct = feed.entries[pmids.index(RCT)]
    assert rct.link == f"{base}/article/{RCT}"
    assert "mrss-improvement: supports" in rct.summary and "Core; design: rct." in rct.summary
    assert rct.published_parsed[:3] == (NOW + timedelta(days=3)).timetuple()[:3]


def test_a_feed_reader_needs_the_token_when_reading_is_closed(seeded_url: str) -> None:
    with make_context(seeded_url, web_public_read=False) as ctx:
        fill(ctx)
        with app_client(ctx) as client:
            token = feed_token(SECRET, SEARCH)
            assert client.get(f"/feeds/{SEARCH}.atom").status_code == 403
            assert client.get(f"/feeds/{SEARCH}.atom?token=x{token[1:]}").status_code == 403
            # Another search's token opens only that search's feed.
            other = feed_token(SECRET, "other")
            assert client.get(f"/feeds/{SEARCH}.atom?token={other}").status_code == 403
            good = client.get(f"/feeds/{SEARCH}.atom?token={token}")
            assert good.status_code == 200 and feedparser.parse(good.content).entries
            assert client.get(f"/feeds/{SEARCH}.atom", headers=BEARER).status_code == 200
            missing = client.get(f"/feeds/nope.atom?token={feed_token(SECRET, 'nope')}")
            assert missing.status_code == 404
            # Downloads are reading: closed without a login.
            assert client.get(f"/export/csv?search={SEARCH}").status_code == 303


# --- collections --------------------------------------------------------------------------


def nbib(rows: list[ArticleRecord]) -> bytes:
    out = io.StringIO()
    write_export([ExportRow(a) for a in rows], "medline", out)
    return out.getvalue().encode()


def test_upload_an_nbib_file_as_a_collection(world: tuple[Context, httpx.Client]) -> None:
    _, client = world
    csrf = log_in(client)
    data = nbib(articles()) + b"\nTI  - a record with no PMID\n"
    done = client.post(
        "/collections",
        data={"name": "reading-list", "csrf_token": csrf},
        files={"file": ("pubmed-export.nbib", data, "application/nbib")},
    )
    assert done.status_code == 303 and done.headers["location"] == "/collections/reading-list"
    page = client.get("/collections/reading-list")
    assert "Imported pubmed-export.nbib: reading-list: 3 article(s)" in page.text
    assert "record 4: no PMID line" in page.text
    assert set(re.findall(r'href="/article/(\d+)" class="title"', page.text)) == {RCT, EVIL, OFF}
    url = re.search(r'<a href="(/export/bibtex[^"]+)" download', page.text)
    assert url is not None
    library = bibtexparser.parse_string(download(client, url.group(1)).text)
    assert {e.fields_dict["pmid"].value for e in library.entries} == {RCT, EVIL, OFF}
    listing = client.get("/collections")
    assert re.search(r'reading-list</a></td>\s*<td class="num">3<', listing.text)


def test_a_bad_upload_is_refused_with_the_reason(world: tuple[Context, httpx.Client]) -> None:
    _, client = world
    csrf = log_in(client)
    bad = client.post(
        "/collections",
        data={"name": "pics", "csrf_token": csrf},
        files={"file": ("photo.png", b"\x89PNG\r\n\x1a\n\0\0", "image/png")},
    )
    assert bad.status_code == 422 and "photo.png: this is not a text file" in bad.text
    assert 'value="pics"' in bad.text  # the form keeps what was typed
    no_file = client.post("/collections", data={"name": "pics", "csrf_token": csrf})
    assert no_file.status_code == 422 and "choose a file" in no_file.text
    bad_name = client.post(
        "/collections",
        data={"name": "Bad Name", "csrf_token": csrf},
        files={"file": ("a.txt", b"123\n", "text/plain")},
    )
    assert bad_name.status_code == 422 and "not a slug" in bad_name.text
    assert "No collections yet." in client.get("/collections").text
    assert client.get("/collections/pics").status_code == 404


def test_uploading_needs_the_login_and_the_csrf_token(
    world: tuple[Context, httpx.Client],
) -> None:
    _, client = world
    files = {"file": ("a.nbib", nbib(articles()[:1]), "application/nbib")}
    anonymous = client.post("/collections", data={"name": "x"}, files=files)
    assert anonymous.status_code == 303 and anonymous.headers["location"].startswith("/login")
    log_in(client)
    forged = client.post("/collections", data={"name": "x", "csrf_token": "forged"}, files=files)
    assert forged.status_code == 403
    assert "No collections yet." in client.get("/collections").text


def test_live_search_results_export_as_the_page_lists_them(migrated_sqlite_url: str) -> None:
    """The page of a finished background search exports its results without asking PubMed
    again; without the job the export runs the search as the page would."""
    import time

    from litwatch.fake_eutils.democorpus import load_demo_corpus
    from tests.helpers.e2e import fake_eutils

    with (
        fake_eutils(load_demo_corpus()) as (fake, eutils_url),
        make_context(migrated_sqlite_url, eutils_url=eutils_url) as ctx,
        app_client(ctx) as client,
    ):
        query = {"q": "rituximab systemic sclerosis", "limit": "6"}
        started = client.post("/api/live-searches", params=query)
        assert started.status_code == 202, started.text
        status_url, page_url = started.json()["status_url"], started.json()["page"]
        deadline = time.monotonic() + 30
        while client.get(status_url).json()["stage"] != "done":
            assert time.monotonic() < deadline, "the live search did not finish"
            time.sleep(0.05)
        page = client.get(page_url)
        order = re.findall(r'href="/article/(\d+)" class="title"', page.text)
        assert len(order) == 6
        url = re.search(r'<a href="(/export/csv[^"]+)" download', page.text)
        assert url is not None and "limit=6" in url.group(1) and "job=" in url.group(1)
        asked = len(fake.requests)
        answer = download(client, url.group(1).replace("&amp;", "&"))
        assert len(fake.requests) == asked  # exported from the finished search
        assert answer.headers["content-disposition"] == (
            'attachment; filename="litwatch-search-results-rituximab-systemic-sclerosis.csv"'
        )
        assert [r["pmid"] for r in csv.DictReader(io.StringIO(answer.text))] == order
        again = download(client, "/export/csv?q=rituximab+systemic+sclerosis&limit=6&job=gone")
        assert len(fake.requests) > asked  # an unknown job: asked afresh, as the page would
        assert [r["pmid"] for r in csv.DictReader(io.StringIO(again.text))] == order
