"""The demo's digest as a reader sees it: the HTML in Debian's Chromium at desktop and phone
width, and the plain text, with screenshots kept under var/screenshots/ (path printed)."""

from __future__ import annotations

import html
import re
from collections.abc import Iterator
from pathlib import Path

import pytest

from litwatch.context import Context
from tests.digests.conftest import Message, clinicians
from tests.helpers.browser import chromium

pytestmark = pytest.mark.browser

SCREENSHOTS = Path(__file__).resolve().parents[2] / "var" / "screenshots"
WIDTHS = {"desktop": (1280, 900), "phone": (390, 844)}
ENTITY = re.compile(r"&(?:[a-zA-Z]+|#\d+|#x[0-9a-fA-F]+);")


@pytest.fixture(scope="module")
def browser() -> Iterator[object]:
    with chromium() as launched:
        yield launched


def shoot(page, name: str, then: str = "") -> list[Path]:  # type: ignore[no-untyped-def]
    """The first screen, the whole page, and the screen from the text ``then`` on, saved;
    their paths printed."""
    SCREENSHOTS.mkdir(parents=True, exist_ok=True)
    paths = [SCREENSHOTS / f"{name}.png", SCREENSHOTS / f"{name}-full.png"]
    page.screenshot(path=str(paths[0]))
    page.screenshot(path=str(paths[1]), full_page=True)
    if then:
        paths.append(SCREENSHOTS / f"{name}-articles.png")
        y = page.get_by_text(then, exact=False).first.evaluate(
            "e => e.getBoundingClientRect().top + window.scrollY"
        )
        page.evaluate(f"window.scrollTo(0, {max(0, y - 16)})")
        page.screenshot(path=str(paths[2]))
    print("screenshots: " + " ".join(map(str, paths)))
    return paths


@pytest.mark.parametrize("width", list(WIDTHS))
def test_the_digest_reads_well_in_chromium(  # type: ignore[no-untyped-def]
    browser, demo: tuple[Context, list[Message]], width: str
) -> None:
    message = clinicians(demo[1])
    w, h = WIDTHS[width]
    page = browser.new_page(viewport={"width": w, "height": h})
    requests: list[str] = []
    page.on("request", lambda r: requests.append(r.url))
    try:
        page.set_content(message.html, wait_until="load")
        seen = page.inner_text("body")
        # Fits the screen: nothing wider than the phone, no sideways scrolling.
        scroll_width = page.evaluate("document.documentElement.scrollWidth")
        assert scroll_width <= w, f"{scroll_width}px wide at {w}px"
        paths = shoot(page, f"digest-{width}", then="Finding · mrss-improvement")
    finally:
        page.close()
    assert requests == []  # no remote images, fonts or scripts
    assert not ENTITY.search(seen) and "['" not in seen
    assert "Your first digest: the 15 most important articles" in seen
    assert "RETRACTED" in seen and "Retracted: not counted as evidence" in seen
    assert re.search(r"n = \d+ · follow-up \d+ months · mRSS [−+]\d", seen)
    assert "Needs review (confidence 0." in seen
    assert all(p.stat().st_size > 10_000 for p in paths)


def test_the_plain_text_reads_well(  # type: ignore[no-untyped-def]
    browser, demo: tuple[Context, list[Message]]
) -> None:
    text = clinicians(demo[1]).text
    # Prose wraps in any mail client; only the one-click links run long.
    long = [line for line in text.splitlines() if len(line) > 320 and "http" not in line]
    assert long == []
    assert not ENTITY.search(text) and "['" not in text
    page = browser.new_page(viewport={"width": 1280, "height": 900})
    try:
        page.set_content(
            '<pre style="white-space:pre-wrap;font:13px monospace;margin:16px;">'
            f"{html.escape(text)}</pre>"
        )
        shoot(page, "digest-text")
    finally:
        page.close()
