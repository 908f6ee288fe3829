"""Downloads and imports in a real Chromium: a saved search's RIS and MEDLINE links clicked and
the files read back (rispy, Biopython), the feed link read by feedparser, and an .nbib file
imported through the collections page's upload form, its BibTeX download read back."""

from __future__ import annotations

import io
from collections.abc import Iterator
from pathlib import Path
from typing import Any

import bibtexparser
import feedparser
import pytest
import rispy
from Bio import Medline

from litwatch.context import Context
from litwatch.export.formats import write_export
from litwatch.export.rows import ExportRow
from litwatch.web import create_app
from tests.helpers.browser import chromium
from tests.web.test_app import EVIL, OFF, PASSWORD, RCT, articles, make_context, serving
from tests.web.test_exports import ALL, RETRACTED, SEARCH, fill

pytestmark = pytest.mark.browser


@pytest.fixture
def site(seeded_url: str) -> Iterator[tuple[Context, str]]:
    with make_context(seeded_url, web_public_read=False) as ctx:
        fill(ctx)
        with serving(create_app(ctx)) as url:
            yield ctx, url


def log_in(page: Any, url: str, then: str) -> None:
    from playwright.sync_api import expect

    page.goto(f"{url}/login?next={then}")
    page.get_by_label("Password or token").fill(PASSWORD)
    page.get_by_role("button", name="Log in").click()
    expect(page).to_have_url(f"{url}{then}")


def click_download(page: Any, name: str, tmp_path: Path) -> tuple[str, str]:
    """Click the download link ``name``; the file's suggested name and its text."""
    with page.expect_download() as info:
        page.locator("#downloads").get_by_role("link", name=name).click()
    download = info.value
    target = tmp_path / download.suggested_filename
    download.save_as(str(target))
    return download.suggested_filename, target.read_text(encoding="utf-8")


def test_download_links_and_nbib_upload(site: tuple[Context, str], tmp_path: Path) -> None:
    ctx, url = site
    with chromium() as browser:
        page = browser.new_page(accept_downloads=True)
        log_in(page, url, f"/searches/{SEARCH}")

        name, text = click_download(page, "RIS", tmp_path)
        assert name == f"litwatch-search-{SEARCH}.ris"
        entries = {e["accession_number"]: e for e in rispy.loads(text)}
        assert set(entries) == ALL
        assert entries[RETRACTED]["notes"][0].startswith("RETRACTED.")

        name, text = click_download(page, "MEDLINE (.nbib)", tmp_path)
        assert name == f"litwatch-search-{SEARCH}.nbib"
        assert {r["PMID"] for r in Medline.parse(io.StringIO(text))} == ALL

        # The feed link works in a fresh context with no login: the token is the key.
        feed_url = page.locator("#feed-link").get_attribute("href")
        reader = browser.new_context()
        answer = reader.request.get(feed_url.replace(ctx.settings.base_url.rstrip("/"), url))
        assert answer.status == 200
        feed = feedparser.parse(answer.body())
        assert not feed.bozo and RCT in {e.link.rsplit("/", 1)[1] for e in feed.entries}
        reader.close()

        out = io.StringIO()
        write_export([ExportRow(a) for a in articles()], "medline", out)
        source = tmp_path / "pubmed-reading.nbib"
        source.write_text(out.getvalue() + "\nTI  - a record with no PMID\n")
        page.get_by_role("navigation", name="Main").get_by_role("link", name="Collections").click()
        page.get_by_label("Collection").fill("reading-list")
        page.get_by_label("File").set_input_files(str(source))
        page.get_by_role("button", name="Import", exact=True).click()
        from playwright.sync_api import expect

        expect(page).to_have_url(f"{url}/collections/reading-list")
        expect(page.locator("#flash")).to_contain_text("3 article(s) from MEDLINE records")
        expect(page.locator("#import-problems")).to_contain_text("record 4: no PMID line")
        expect(page.locator("#results a.title")).to_have_count(3)

        name, text = click_download(page, "BibTeX", tmp_path)
        assert name == "litwatch-collection-reading-list.bib"
        library = bibtexparser.parse_string(text)
        assert {e.fields_dict["pmid"].value for e in library.entries} == {RCT, EVIL, OFF}

        # A bad file is refused on the same page, with the reason.
        bad = tmp_path / "notes.txt"
        bad.write_text("these are words, not PMIDs\n")
        page.get_by_role("navigation", name="Main").get_by_role("link", name="Collections").click()
        page.get_by_label("Collection").fill("words")
        page.get_by_label("File").set_input_files(str(bad))
        page.get_by_role("button", name="Import", exact=True).click()
        expect(page.locator("#form-error")).to_contain_text("nothing imported")
        expect(page.locator("#collections")).to_contain_text("reading-list")
        expect(page.locator("#collections")).not_to_contain_text("words")
