"""The management pages in a real Chromium: log in, a change refused without a login and with
a bad CSRF token, add and edit a saved search, run it now against the fake E-utilities
server, add a subscriber and preview the digest, and a digest's feedback link working
without a login. Each page is saved as a screenshot under var/screenshots/."""

from __future__ import annotations

import html
import re
from collections.abc import Iterator
from pathlib import Path
from typing import Any

import pytest
from sqlmodel import Session, select

from litwatch.context import Context
from litwatch.default_search import DEFAULT_QUERY
from litwatch.fake_eutils.democorpus import load_demo_corpus
from litwatch.store.searches import find_search
from litwatch.store.tables import Feedback
from litwatch.web import create_app
from tests.helpers.browser import chromium
from tests.helpers.e2e import Clock, fake_eutils
from tests.helpers.paths import REPO
from tests.web.test_app import PASSWORD, make_context, serving

pytestmark = pytest.mark.browser
SHOTS = REPO / "var" / "screenshots"
NAME = "rtx-ssc"


@pytest.fixture
def site(migrated_sqlite_url: str) -> Iterator[tuple[Context, str]]:
    with fake_eutils(load_demo_corpus()) as (_, eutils_url):
        with make_context(migrated_sqlite_url, eutils_url=eutils_url, clock=Clock()) as ctx:
            with serving(create_app(ctx)) as url:
                yield ctx, url


@pytest.fixture
def browser() -> Iterator[Any]:
    with chromium() as launched:
        yield launched


def shoot(page: Any, name: str, *, full_page: bool = True) -> Path:
    SHOTS.mkdir(parents=True, exist_ok=True)
    path = SHOTS / f"{name}.png"
    page.screenshot(path=str(path), full_page=full_page)
    assert path.read_bytes()[:8] == b"\x89PNG\r\n\x1a\n"
    return path


def log_in(page: Any, url: str) -> None:
    from playwright.sync_api import expect

    page.goto(f"{url}/login?next=/searches")
    shoot(page, "login")
    page.get_by_label("Password or token").fill("not it")
    page.get_by_role("button", name="Log in").click()
    expect(page.locator("#login-error")).to_contain_text("not the password")
    page.get_by_label("Password or token").fill(PASSWORD)
    page.get_by_role("button", name="Log in").click()
    expect(page).to_have_url(f"{url}/searches")
    expect(page.locator("#flash")).to_contain_text("You are logged in")


def refused_without_login_and_with_a_bad_token(page: Any, url: str) -> None:
    from playwright.sync_api import expect

    page.goto(f"{url}/searches")
    expect(page.get_by_role("link", name="Log in").first).to_be_visible()
    expect(page.locator("#add-search")).to_have_count(0)  # no form for a reader
    anon = page.request.post(f"{url}/searches", form={"name": "x", "query": "y"}, max_redirects=0)
    assert anon.status == 303 and anon.headers["location"].startswith("/login")
    log_in(page, url)
    # A forged form: the right fields, a wrong token.
    page.evaluate("document.querySelector('#add-search [name=csrf_token]').value = 'forged'")
    page.get_by_label("Name").fill("forged-search")
    page.get_by_label("PubMed query").fill("rituximab[tiab]")
    page.get_by_role("button", name="Add the search").click()
    expect(page.get_by_role("heading", name="Change refused")).to_be_visible()
    shoot(page, "csrf-refused")


def add_edit_and_run(page: Any, url: str) -> None:
    from playwright.sync_api import expect

    page.goto(f"{url}/searches")
    page.get_by_label("Name").fill(NAME)
    page.get_by_label("PubMed query").fill("rituximab[tiab] AND (")
    page.get_by_role("button", name="Add the search").click()
    expect(page.locator("#form-error")).to_contain_text("column")  # checked before it is kept
    page.get_by_label("PubMed query").fill("rituximab[tiab]")
    page.get_by_role("button", name="Add the search").click()
    expect(page).to_have_url(f"{url}/searches/{NAME}")
    page.get_by_label("PubMed query").fill(DEFAULT_QUERY)
    page.get_by_label("Schedule").fill("every 2h")
    page.get_by_role("button", name="Save").click()
    expect(page.locator("#flash")).to_contain_text("Saved the changes")
    expect(page.locator("#search-facts")).to_contain_text("every 2h")
    page.get_by_role("button", name="Run now").click()
    expect(page.locator("#flash")).to_contain_text(f"Polled now: {NAME}: ok")
    expect(page.locator("table.runs tbody tr").first).to_contain_text("ok")
    shoot(page, "search")
    page.goto(f"{url}/searches")
    expect(page.locator("#searches")).to_contain_text(NAME)
    shoot(page, "searches")
    page.goto(f"{url}/runs")
    expect(page.locator("#poll-runs")).to_contain_text(NAME)
    shoot(page, "runs")


def add_and_preview(page: Any, url: str) -> str:
    """Subscribe someone and preview their digest; the digest's HTML."""
    from playwright.sync_api import expect

    page.goto(f"{url}/subscribers")
    page.get_by_label("Address").fill("ana@example.org")
    page.get_by_label("Name", exact=True).fill("Ana")
    page.get_by_label("Articles").select_option("related")
    page.get_by_label(NAME).check()
    page.get_by_role("button", name="Subscribe").click()
    expect(page.locator("#flash")).to_contain_text("Subscribed ana@example.org")
    shoot(page, "subscribers")
    page.get_by_role("link", name="Preview next digest").click()
    expect(page.locator("#preview-subject")).not_to_be_empty()
    frame = page.frame_locator("#preview-frame")
    expect(frame.locator("body")).to_contain_text("Unsubscribe")
    shoot(page, "digest-preview", full_page=False)
    answer = page.request.get(f"{url}/subscribers/1/preview.html")
    assert answer.ok
    return str(answer.text())


def test_manage_searches_and_subscribers_in_a_browser(
    browser: Any, site: tuple[Context, str]
) -> None:
    from playwright.sync_api import expect

    ctx, url = site
    errors: list[str] = []
    page = browser.new_page(viewport={"width": 1100, "height": 800})
    page.on("pageerror", lambda e: errors.append(str(e)))
    refused_without_login_and_with_a_bad_token(page, url)
    with Session(ctx.engine) as session:
        assert find_search(session, "forged-search") is None
    add_edit_and_run(page, url)
    digest = add_and_preview(page, url)
    assert errors == []

    # A feedback link of that digest, opened by a reader who is not logged in.
    links = re.findall(r'href="[^"]*/feedback/([^"]+)"', digest)
    assert links, "the digest carries feedback links"
    reader = browser.new_context().new_page()
    reader.goto(f"{url}/feedback/{html.unescape(links[0])}")
    expect(reader.get_by_role("heading", name="Thank you")).to_be_visible()
    shoot(reader, "feedback-thanks")
    with Session(ctx.engine) as session:
        labels = [(f.source, f.who) for f in session.exec(select(Feedback))]
    assert labels == [("email", "ana@example.org")]

    phone = browser.new_page(viewport={"width": 390, "height": 844})
    phone.goto(f"{url}/searches/{NAME}")
    expect(phone.locator("nav.main")).to_be_visible()
    shoot(phone, "search-phone")
    shoot_the_other_pages(page, phone, url)


def shoot_the_other_pages(page: Any, phone: Any, url: str) -> None:
    """The reading pages and the digest itself, at desktop and phone width."""
    from playwright.sync_api import expect

    page.goto(f"{url}/?q=rituximab&local=1")
    expect(page.locator("#results tbody tr").first).to_be_visible()
    shoot(page, "search-results", full_page=False)
    page.locator("#results a.title").first.click()
    expect(page.locator("#article-title")).to_be_visible()
    shoot(page, "article")
    page.goto(f"{url}/evidence/mrss-improvement")
    shoot(page, "evidence", full_page=False)
    for name, tab in (("digest-desktop", page), ("digest-phone", phone)):
        tab.goto(f"{url}/subscribers/1/preview.html")
        expect(tab.locator("body")).to_contain_text("Unsubscribe")
        shoot(tab, name, full_page=False)
