"""The demo's digests, made once a module: the demo corpus stored, classified and sent."""

from __future__ import annotations

import email
import email.policy
import shutil
from collections.abc import Iterator
from dataclasses import dataclass
from datetime import UTC, datetime, timedelta
from pathlib import Path

import pytest
from sqlmodel import Session

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
from tests.helpers.e2e import Clock

NOW = datetime(2026, 12, 1, 7, 30, tzinfo=UTC)
CLINICIAN = "clinician@example.org"


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


def clinicians(messages: list[Message]) -> Message:
    """The digest of the demo's clinician (core and related articles, every finding)."""
    [found] = [m for m in messages if f"as {CLINICIAN}" in m.text]
    return found


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
        add_subscriber(
            s,
            CLINICIAN,
            now=NOW - timedelta(hours=1),
            name="Demo clinician",
            min_relevance="related",
        )
        add_subscriber(s, "skin@example.org", now=NOW, findings=["mrss-improvement"])
        s.commit()
    result = run_digests(ctx, force=True)
    assert result.sent == 2 and not result.errors
    paths = sorted(Path(p) for p in result.outbox)
    try:
        yield ctx, [read(p) for p in paths]
    finally:
        ctx.close()
