"""The demo's corpus through the real pipeline into the digests its subscribers get: stored,
classified, recorded, written to the outbox, then read back as a mail client would
(``demo`` in conftest.py)."""

from __future__ import annotations

import html
import re

from sqlmodel import Session, select

from litwatch.context import Context
from litwatch.jobs.digest_run import run_digests
from litwatch.store.tables import DigestItem
from tests.digests.conftest import Message, clinicians

ENTITY = re.compile(r"&(?:[a-zA-Z]+|#\d+|#x[0-9a-fA-F]+);")
PYTHON_LIST = re.compile(r"\[\s*'|'\s*\]|\[\s*\"|\"\s*\]")
RETRACTED, ITS_NOTICE = "90000291", "90000294"  # a cohort and the notice that retracts it


def visible_text(markup: str) -> str:
    """What a reader sees of the HTML: tags dropped, entities decoded once."""
    markup = re.sub(r"<(style|title)[^>]*>.*?</\1>", "", markup, flags=re.S)
    return html.unescape(re.sub(r"<[^>]+>", " ", markup))


def test_no_escaped_entity_and_no_python_list(demo: tuple[Context, list[Message]]) -> None:
    for m in demo[1]:
        assert not ENTITY.search(m.text), ENTITY.search(m.text)
        seen = visible_text(m.html)
        assert not ENTITY.search(seen), seen[max(0, seen.find("&") - 80) :][:160]
        for part in (m.text, seen, m.subject):
            assert not PYTHON_LIST.search(part), PYTHON_LIST.search(part)
        assert "follow up months" not in m.text and "p values" not in m.text
        assert "contradicts: " not in m.text  # the classifier's reason is not shown as such


def test_a_first_digest_holds_the_most_important_articles_only(
    demo: tuple[Context, list[Message]],
) -> None:
    ctx, messages = demo
    for m in messages:
        shown = m.text.count("\n  PubMed: ")  # one line an article; folded notices have none
        assert 0 < shown <= ctx.settings.first_digest_max
        assert "most important of" in m.subject
        assert "YOUR FIRST DIGEST" in m.text and "https://lw.test/evidence/" in m.text
        assert len(m.html.encode()) < 150_000
    with Session(ctx.engine) as s:
        kinds = [row.kind for row in s.exec(select(DigestItem))]
    assert kinds.count("listed") > 100  # the rest: linked, and never sent later


def test_a_retraction_in_the_same_digest_is_shown_in_place_and_once(
    demo: tuple[Context, list[Message]],
) -> None:
    m = clinicians(demo[1])
    entry = m.text[m.text.index(f"pubmed.ncbi.nlm.nih.gov/{RETRACTED}/") - 2000 :]
    assert "RETRACTED: not counted as evidence" in entry
    assert f"(PMID {ITS_NOTICE}" in m.text
    assert f"PubMed: https://pubmed.ncbi.nlm.nih.gov/{ITS_NOTICE}/" not in m.text
    # Never as evidence: the retracted article carries no stance, sentence or numbers.
    block = m.text.split(f"PubMed: https://pubmed.ncbi.nlm.nih.gov/{RETRACTED}/")[0]
    block = block.rsplit("\n- ", 1)[1]
    assert "support" not in block and "“" not in block and "n = " not in block


def test_notices_are_counted_as_notices(demo: tuple[Context, list[Message]]) -> None:
    m = clinicians(demo[1])
    head = m.text.split("\n\n")[1]
    shown = m.text.count("\n  PubMed: ")
    assert head.startswith(f"{shown} new articles") and "notices (retraction or erratum)" in head


def test_nothing_follows_seconds_later(demo: tuple[Context, list[Message]]) -> None:
    ctx, _ = demo
    again = run_digests(ctx, force=True)
    # Neither the retraction already shown in place nor the articles linked on the web.
    assert (again.created, again.sent) == (0, 0)
