"""The web app in a real Chromium: search, open an article, give feedback on the page and by a
digest's link."""

from __future__ import annotations

from collections.abc import Iterator
from pathlib import Path

import pytest
from sqlmodel import Session, select

from litwatch.context import Context
from litwatch.store.tables import Feedback
from litwatch.web import create_app
from tests.helpers.browser import chromium
from tests.web.test_app import EVIL, PASSWORD, RCT, make_context, seed, serving

pytestmark = pytest.mark.browser


@pytest.fixture
def seeded(migrated_sqlite_url: str) -> Iterator[Context]:
    with make_context(migrated_sqlite_url) as ctx:
        seed(ctx)
        yield ctx


@pytest.fixture
def base_url(seeded: Context) -> Iterator[str]:
    with serving(create_app(seeded)) as url:
        yield url


@pytest.fixture
def page(base_url: str) -> Iterator[object]:
    with chromium() as browser:
        yield browser.new_page()


def test_search_article_feedback_in_a_browser(  # type: ignore[no-untyped-def]
    page, base_url: str, seeded: Context, tmp_path: Path
) -> None:
    from playwright.sync_api import expect

    dialogs: list[str] = []
    page.on("dialog", lambda d: (dialogs.append(d.message), d.dismiss()))
    errors: list[str] = []
    page.on("pageerror", lambda e: errors.append(str(e)))

    page.goto(base_url + "/")
    page.get_by_label("Query").fill("rituximab sclerosis")
    page.get_by_label("Stored articles only").check()
    page.get_by_role("button", name="Search").click()

    results = page.locator("#results tbody tr")
    expect(results).to_have_count(3)
    expect(page.locator("#results")).to_contain_text("Rituximab improves skin fibrosis")
    # The unsafe title shows its script tag as text and its matched words highlighted; a
    # highlighted title is plain text (its italics show on the article page).
    evil_link = page.locator(f'a.title[href="/article/{EVIL}"]')
    expect(evil_link).to_contain_text("<script>alert(1)</script>")
    expect(evil_link.locator("mark").first).to_have_text("rituximab")
    expect(evil_link.locator("i")).to_have_count(0)
    expect(results.locator(".snippet mark").first).to_be_visible()

    evil_link.click()
    expect(page.locator("#article-title")).to_contain_text("<script>alert(1)</script>")
    page.go_back()

    page.locator(f'a.title[href="/article/{RCT}"]').click()
    expect(page.locator("#article-title")).to_contain_text("Rituximab improves skin fibrosis")
    expect(page.locator("mark").first).to_be_visible()

    # Labelling needs a login, which brings the reader back to the article.
    page.locator("#feedback-login a").click()
    page.get_by_label("Password or token").fill(PASSWORD)
    page.get_by_role("button", name="Log in").click()
    expect(page.locator("#article-title")).to_contain_text("Rituximab improves skin fibrosis")

    page.get_by_role("button", name="Relevant", exact=True).click()
    expect(page.locator("#feedback-note")).to_contain_text("“relevant” is recorded")

    shot = tmp_path / "article.png"
    page.screenshot(path=str(shot), full_page=True)
    data = shot.read_bytes()
    assert data[:8] == b"\x89PNG\r\n\x1a\n"
    assert len(data) > 10_000

    assert dialogs == []
    assert errors == []
    with Session(seeded.engine) as session:
        labels = [(f.pmid, f.relevant, f.source) for f in session.exec(select(Feedback))]
    assert labels == [(RCT, True, "web")]


def test_a_feedback_link_records_with_one_click_in_a_browser(  # type: ignore[no-untyped-def]
    page, base_url: str, seeded: Context
) -> None:
    from playwright.sync_api import expect

    from litwatch.digests.signed_links import make_token
    from tests.web.test_app import NOW, SECRET

    payload = {"pmid": RCT, "email": "ana@example.org", "relevant": True}
    token = make_token(SECRET, "feedback", payload, now=NOW)
    page.goto(f"{base_url}/feedback/{token}")  # the page posts the label by itself
    expect(page.get_by_role("heading", name="Thank you")).to_be_visible()
    expect(page.get_by_role("status")).to_contain_text("is relevant")
    with Session(seeded.engine) as session:
        labels = [(f.pmid, f.relevant, f.source, f.who) for f in session.exec(select(Feedback))]
    assert labels == [(RCT, True, "email", "ana@example.org")]
