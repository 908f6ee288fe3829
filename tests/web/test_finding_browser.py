"""A finding's page in a real Chromium, on the demo corpus stored and classified: the plot is
drawn, each mark links to its article, and a screenshot is kept in var/screenshots/."""

from __future__ import annotations

from collections.abc import Iterator
from pathlib import Path
from typing import Any

import pytest
from sqlmodel import Session

from litwatch.context import Context
from litwatch.fake_eutils.democorpus import DEMO_DIR
from litwatch.judging.classify_stored import classify_pmids
from litwatch.judging.evidence import evidence_table
from litwatch.pubmed.parser import parse_pubmed_xml
from litwatch.store.articles import upsert_articles
from litwatch.web import create_app
from tests.helpers.browser import chromium
from tests.web.test_app import NOW, make_context, serving

pytestmark = pytest.mark.browser
SHOTS = Path("var/screenshots")
FINDING = "mrss-improvement"


def store_demo_corpus(ctx: Context) -> None:
    """Every record of the demo corpus stored (retraction notices marking what they retract)
    and classified, as `make demo` leaves the store."""
    records = []
    for path in sorted(DEMO_DIR.glob("*.xml")):
        records.extend(parse_pubmed_xml(path).articles)
    with Session(ctx.engine) as session:
        upsert_articles(session, records, now=NOW)
        session.commit()
        classify_pmids(session, [r.pmid for r in records], kb=ctx.knowledge_base, now=NOW)
        session.commit()


@pytest.fixture
def demo_site(migrated_sqlite_url: str) -> Iterator[tuple[Context, str]]:
    with make_context(migrated_sqlite_url) as ctx:
        store_demo_corpus(ctx)
        with serving(create_app(ctx)) as url:
            yield ctx, url


@pytest.fixture
def page() -> Iterator[Any]:
    with chromium() as browser:
        yield browser.new_page(viewport={"width": 1100, "height": 900})


def test_the_finding_page_draws_its_plot(page: Any, demo_site: tuple[Context, str]) -> None:
    from playwright.sync_api import expect

    ctx, url = demo_site
    with Session(ctx.engine) as session:
        table = evidence_table(session, FINDING)
    drawn = [r for r in table.rows if r.counted and r.stance in ("supports", "contradicts")]
    assert len(drawn) >= 3, "the demo corpus has counted studies on this finding"
    errors: list[str] = []
    page.on("pageerror", lambda e: errors.append(str(e)))

    page.goto(f"{url}/evidence/{FINDING}")
    svg = page.locator("figure#plot svg")
    expect(svg).to_be_visible()
    box = svg.bounding_box()
    assert box is not None and box["width"] > 300 and box["height"] > 100
    expect(page.locator("circle.mark")).to_have_count(len(drawn))
    expect(page.locator("#count-supports")).to_have_text(str(table.counts["supports"]))
    expect(page.get_by_role("img", name="Counted studies per year")).to_be_visible()
    expect(page.locator("#plot-table tbody tr")).to_have_count(
        len({r.date.year for r in drawn if r.date})
    )
    SHOTS.mkdir(parents=True, exist_ok=True)
    shot = SHOTS / "finding.png"
    page.locator("main, body").first.screenshot(path=str(shot))
    assert shot.read_bytes()[:8] == b"\x89PNG\r\n\x1a\n"
    page.screenshot(path=str(SHOTS / "finding-top.png"))

    # A mark is a link to its article; the table's filter narrows the rows, not the plot.
    first = drawn[0]
    page.locator(f'circle.mark[data-pmid="{first.pmid}"]').click()
    expect(page).to_have_url(f"{url}/article/{first.pmid}")
    page.goto(f"{url}/evidence/{FINDING}")
    page.get_by_label("Stance").select_option("contradicts")
    page.get_by_role("button", name="Filter").click()
    expect(page).to_have_url(f"{url}/evidence/{FINDING}?design=&stance=contradicts")
    shown = [r for r in table.rows if r.stance == "contradicts"]
    expect(page.locator("table#evidence tbody tr")).to_have_count(len(shown))
    expect(page.locator("circle.mark")).to_have_count(len(drawn))
    assert errors == []
