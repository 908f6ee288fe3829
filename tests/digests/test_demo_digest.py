"""The demo's corpus through the real pipeline into the digests its subscribers get: stored,
classified, recorded, written to the outbox, then read back as a mail client would."""

from __future__ import annotations

import email
import email.policy
import html
import re
import shutil
from collections.abc import Iterator
from dataclasses import dataclass
from datetime import UTC, datetime, timedelta
from pathlib import Path

import pytest
from sqlmodel import Session, select

from litwatch.config import load_settings
from litwatch.context import Context, build_context
from litwatch.digests.subscribers import add_subscriber
from litwatch.fake_eutils.democorpus import DEMO_DIR
from litwatch.jobs.digest_run import run_digests
from litwatch.judging.classify_stored import classify_changed
from litwatch.pubmed.parser import parse_pubmed_xml
from litwatch.records import ArticleRecord
from litwatch.store.articles import record_hits, upsert_articles
from litwatch.store.searches import add_search
from litwatch.store.tables import DigestItem
from tests.helpers.e2e import Clock

NOW = datetime(2026, 12, 1, 7, 30, tzinfo=UTC)
CLINICIAN = "clinician@example.org"
ENTITY = re.compile(r"&(?:[a-zA-Z]+|#\d+|#x[0-9a-fA-F]+);")
PYTHON_LIST = re.compile(r"\[\s*'|'\s*\]|\[\s*\"|\"\s*\]")
RETRACTED, ITS_NOTICE = "90000291", "90000294"  # a cohort and the notice that retracts it


@dataclass
class Message:
    subject: str
    text: str
    html: str


def demo_records() -> list[ArticleRecord]:
    records: list[ArticleRecord] = []
    for path in sorted(DEMO_DIR.glob("*.xml")):
        records += parse_pubmed_xml(path.read_bytes()).articles
    return records


def read(path: Path) -> Message:
    msg = email.message_from_bytes(path.read_bytes(), policy=email.policy.default)
    text = msg.get_body(preferencelist=("plain",)).get_content()  # type: ignore[union-attr]
    body = msg.get_body(preferencelist=("html",)).get_content()  # type: ignore[union-attr]
    return Message(str(msg["Subject"]), text, body)


def visible_text(markup: str) -> str:
    """What a reader sees of the HTML: tags dropped, entities decoded once."""
    markup = re.sub(r"<(style|title)[^>]*>.*?</\1>", "", markup, flags=re.S)
    return html.unescape(re.sub(r"<[^>]+>", " ", markup))


@pytest.fixture(scope="module")
def demo(
    tmp_path_factory: pytest.TempPathFactory, _sqlite_template: Path
) -> Iterator[tuple[Context, list[Message]]]:
    """The demo's store and subscribers, and the first digests they were sent."""
    work = tmp_path_factory.mktemp("demo-digest")
    shutil.copyfile(_sqlite_template, work / "lw.db")
    url = f"sqlite:///{work / 'lw.db'}"
    settings = load_settings(
        database_url=url,
        ncbi_email="t@example.org",
        secret_key="s3cret",
        base_url="https://lw.test",
        outbox_dir=work / "outbox",
    )
    ctx = build_context(settings, clock=Clock(NOW))
    records = demo_records()
    with Session(ctx.engine) as s:
        search = add_search(s, "demo", "rituximab AND systemic sclerosis", now=NOW)
        stored = upsert_articles(s, records, now=NOW)
        record_hits(s, search.id, [r.pmid for r in records], now=NOW)  # type: ignore[arg-type]
        s.commit()
        classify_changed(s, stored, records, kb=ctx.knowledge_base, now=NOW)
        add_subscriber(s, CLINICIAN, now=NOW - timedelta(hours=1), min_relevance="related")
        add_subscriber(s, "skin@example.org", now=NOW, findings=["mrss-improvement"])
        s.commit()
    result = run_digests(ctx, force=True)
    assert result.sent == 2 and not result.errors
    paths = sorted(Path(p) for p in result.outbox)
    try:
        yield ctx, [read(p) for p in paths]
    finally:
        ctx.close()


def clinicians(messages: list[Message]) -> Message:
    [found] = [m for m in messages if "Demo" not in m.subject and "clinician" in m.text]
    return found


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
