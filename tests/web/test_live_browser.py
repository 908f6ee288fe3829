"""A live search in Chromium: the page shows its progress, then its results; a local search
of the same words finds them in the store, ranked, with the words highlighted."""

from __future__ import annotations

import re
from collections.abc import Iterator
from pathlib import Path

import pytest

from litwatch.context import Context
from litwatch.web import create_app
from tests.helpers.browser import chromium
from tests.helpers.e2e import Clock, CountingFake, fake_eutils, make_context
from tests.jobs.test_poll import corpus_of
from tests.web.test_app import serving

pytestmark = pytest.mark.browser

SHOTS = Path(__file__).resolve().parents[2] / "var" / "screenshots"
RECORDS = 120
QUERY = "glorbinase velmoric"


@pytest.fixture
def world(migrated_sqlite_url: str) -> Iterator[tuple[CountingFake, Context, str]]:
    # Two requests a second: the fetch takes a second or two, long enough to be watched.
    with fake_eutils(corpus_of(RECORDS)) as (fake, base_url):
        ctx = make_context(
            migrated_sqlite_url, base_url, Clock(), web_public_read=True, ncbi_max_rps=2
        )
        try:
            with serving(create_app(ctx)) as url:
                yield fake, ctx, url
        finally:
            ctx.close()


def test_a_live_search_shows_its_progress_then_its_results(  # type: ignore[no-untyped-def]
    world: tuple[CountingFake, Context, str],
) -> None:
    from playwright.sync_api import expect

    fake, _, url = world
    with chromium() as browser:
        page = browser.new_page()
        errors: list[str] = []
        page.on("pageerror", lambda e: errors.append(str(e)))
        page.goto(url + "/")
        expect(page.locator("#live-progress")).to_be_hidden()
        page.get_by_label("Query").fill(QUERY)
        page.get_by_label("Limit").fill(str(RECORDS))
        page.get_by_role("button", name="Search").click()

        progress = page.locator("#live-progress")
        expect(progress).to_be_visible()
        expect(progress).to_contain_text("Fetching and judging new records")
        SHOTS.mkdir(parents=True, exist_ok=True)
        page.screenshot(path=str(SHOTS / "live-search-progress.png"))

        expect(page).to_have_url(re.compile(r"[?&]job="), timeout=30_000)
        expect(page.locator("#results tbody tr")).to_have_count(RECORDS)
        expect(page.locator("#results-heading")).to_contain_text(f"of {RECORDS} in PubMed")
        assert sum(1 for r in fake.requests if r.path.endswith("esearch.fcgi")) == 1

        # What the live search stored, found again in the store: ranked, words marked.
        page.get_by_label("Stored articles only").check()
        page.get_by_role("button", name="Search").click()
        expect(page.locator("#results tbody tr").first).to_be_visible()
        expect(page.locator("#results-heading")).to_contain_text("in the store")
        expect(page.locator("#results a.title mark").first).to_be_visible()
        expect(progress).to_be_hidden()
        assert sum(1 for r in fake.requests if r.path.endswith("esearch.fcgi")) == 1
        assert errors == []
