"""The recall audit page in a real Chromium: from the saved search's page to the audit, run
it, read the missed core articles and their terms, then a bad date refused. The page is
saved as a screenshot under var/screenshots/."""

from __future__ import annotations

from collections.abc import Iterator
from datetime import date
from typing import Any

import pytest
from sqlmodel import Session

from litwatch.context import Context
from litwatch.default_search import DEFAULT_QUERY
from litwatch.store.searches import add_search
from litwatch.web import create_app
from tests.helpers.browser import chromium
from tests.helpers.e2e import Clock, fake_eutils
from tests.helpers.paths import REPO
from tests.helpers.recall_records import BRAND_ONLY, TARGET_ONLY, audit_corpus
from tests.web.test_app import make_context, serving

pytestmark = pytest.mark.browser
SHOTS = REPO / "var" / "screenshots"


@pytest.fixture
def site(migrated_sqlite_url: str) -> Iterator[tuple[Context, str]]:
    with fake_eutils(audit_corpus()) as (_, eutils_url):
        with make_context(migrated_sqlite_url, eutils_url=eutils_url, clock=Clock()) as ctx:
            with Session(ctx.engine) as s:
                add_search(s, "rtx", DEFAULT_QUERY, now=ctx.now(), backfill_start=date(2026, 1, 1))
                s.commit()
            with serving(create_app(ctx)) as url:
                yield ctx, url


def test_audit_page_in_a_browser(site: tuple[Context, str]) -> None:
    from playwright.sync_api import expect

    _, url = site
    with chromium() as browser:
        page: Any = browser.new_page(viewport={"width": 1200, "height": 900})
        page.goto(f"{url}/searches/rtx")
        page.get_by_role("link", name="Recall audit").click()
        expect(page).to_have_url(f"{url}/searches/rtx/audit")
        expect(page.locator("#broader-query")).to_contain_text('"Scleroderma, Systemic"[mh]')
        expect(page.locator("#broader-query")).not_to_contain_text("rituximab")
        expect(page.locator("#audit-report")).to_have_count(0)

        page.get_by_label("Created from").fill("2026-09-01")
        page.get_by_role("button", name="Run the audit").click()
        expect(page.locator("#audit-heading")).to_have_text("Created 2026-09-01 to 2026-11-25")
        rows = page.locator("#missed tbody tr")
        expect(rows).to_have_count(2)
        brand = page.locator(f'tr[data-pmid="{BRAND_ONLY}"]')
        expect(brand).to_contain_text("Rixathon in diffuse cutaneous systemic sclerosis")
        expect(brand.locator("code.suggestion")).to_have_text(['"Rixathon"[tiab]'])
        target = page.locator(f'tr[data-pmid="{TARGET_ONLY}"]')
        expect(target.locator("code.suggestion")).to_have_text(
            ['"CD20-targeted"[tiab]', '"Blitzima"[tiab]']
        )
        expect(page.locator("#all-suggestions")).to_contain_text('"Rixathon"[tiab]')
        expect(page.locator("#recall")).to_contain_text("%")
        found = int(page.locator("#core-found").inner_text())
        caught = int(page.locator("#core-caught").inner_text())
        assert found == caught + 2 and caught > 0
        SHOTS.mkdir(parents=True, exist_ok=True)
        shot = SHOTS / "search-audit.png"
        page.screenshot(path=str(shot), full_page=True)
        assert shot.read_bytes()[:8] == b"\x89PNG\r\n\x1a\n"

        page.get_by_label("Created from").fill("1 Sept")
        page.get_by_role("button", name="Run the audit").click()
        expect(page.locator("#audit-error")).to_contain_text("since: must be a date")
        expect(page.locator("#audit-report")).to_have_count(0)
        page.close()
