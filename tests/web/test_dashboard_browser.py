"""The dashboard in a real Chromium on the demo corpus: its sections, and its filters used
through the form; screenshots kept in var/screenshots/dashboard*.png."""

from __future__ import annotations

import re
from collections.abc import Iterator
from pathlib import Path
from typing import Any

import pytest

from litwatch.context import Context
from litwatch.web import create_app
from tests.helpers.browser import chromium
from tests.web.test_app import make_context, serving
from tests.web.test_dashboard import store_in_waves

pytestmark = pytest.mark.browser
SHOTS = Path("var/screenshots")


@pytest.fixture
def demo_site(migrated_sqlite_url: str) -> Iterator[tuple[Context, str]]:
    with make_context(migrated_sqlite_url) as ctx:
        store_in_waves(ctx)
        with serving(create_app(ctx)) as url:
            yield ctx, url


@pytest.fixture
def page() -> Iterator[Any]:
    with chromium() as browser:
        yield browser.new_page(viewport={"width": 1200, "height": 1000})


def shoot(page: Any, name: str) -> None:
    SHOTS.mkdir(parents=True, exist_ok=True)
    shot = SHOTS / name
    page.screenshot(path=str(shot), full_page=False)
    assert shot.read_bytes()[:8] == b"\x89PNG\r\n\x1a\n"


def test_the_dashboard_and_its_filters(page: Any, demo_site: tuple[Context, str]) -> None:
    from playwright.sync_api import expect

    _, url = demo_site
    errors: list[str] = []
    page.on("pageerror", lambda e: errors.append(str(e)))

    page.goto(f"{url}/")
    page.get_by_role("link", name="Dashboard").click()
    expect(page).to_have_url(f"{url}/dashboard")
    expect(page.get_by_role("heading", name="What is new")).to_be_visible()
    for heading in ("Contradictions", "New multicentre RCTs", "Retractions"):
        expect(page.get_by_role("heading", name=heading)).to_be_visible()
    expect(page.locator("#contradictions-results tbody tr").first).to_be_visible()
    expect(page.locator("#section-retractions .badge.retracted").first).to_be_visible()
    assert page.locator("h3.finding-group").count() >= 2
    shoot(page, "dashboard.png")

    # Design: RCTs only; every row of the main list says RCT.
    page.select_option("#design", "rct")
    page.get_by_role("button", name="Show").click()
    expect(page).to_have_url(re.compile(r"/dashboard\?.*design=rct"))
    rows = page.locator("#section-main tbody tr")
    assert rows.count() >= 1
    for i in range(rows.count()):
        expect(rows.nth(i).locator(".badge", has_text="RCT")).to_have_count(1)
    expect(page.locator("#design")).to_have_value("rct")

    # Words and "needs review": each row shown needs review, and the form keeps them.
    page.select_option("#design", "")
    page.fill("#q", "rituximab")
    page.check("#review")
    page.get_by_role("button", name="Show").click()
    expect(page.locator("#q")).to_have_value("rituximab")
    expect(page.locator("#review")).to_be_checked()
    main = page.locator("#section-main tbody tr")
    assert main.count() >= 1
    for i in range(main.count()):
        expect(main.nth(i).locator(".badge.review, .badge.retracted").first).to_be_visible()
    shoot(page, "dashboard-filtered.png")

    # A stance and a sort, then a bad date range: the error page, no script errors anywhere.
    page.goto(f"{url}/dashboard")
    page.select_option("#stance", "contradicts")
    page.select_option("#sort", "n")
    page.get_by_role("button", name="Show").click()
    expect(page.locator("#section-main .badge.contradicts").first).to_be_visible()
    page.goto(f"{url}/dashboard?from=2025-02-01&to=2025-01-01")
    expect(page.get_by_role("heading", name="Bad filter")).to_be_visible()
    assert errors == []
