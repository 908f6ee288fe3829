"""A change to the knowledge base re-classifies the stored articles it can touch."""

from __future__ import annotations

from pathlib import Path

from sqlmodel import Session, select

from litwatch.config import load_settings
from litwatch.context import build_context
from litwatch.jobs.kb_sync import sync_knowledge_base
from litwatch.judging.classify_stored import classify_records
from litwatch.judging.knowledge_file import DEFAULT_PATH
from litwatch.store.articles import upsert_articles
from litwatch.store.tables import ClassificationRow
from tests.digests.test_delivery import CONTRADICTS, NOW, OFF_TOPIC, SUPPORTS
from tests.helpers.e2e import Clock


def context(db_url: str, findings: Path | None = None):  # type: ignore[no-untyped-def]
    settings = load_settings(database_url=db_url, ncbi_email="t@example.org", findings=findings)
    return build_context(settings, clock=Clock(NOW))


def test_a_changed_finding_reclassifies_articles_on_topic(
    migrated_sqlite_url: str, tmp_path: Path
) -> None:
    ctx = context(migrated_sqlite_url)
    with Session(ctx.engine) as s:
        upsert_articles(s, [SUPPORTS, CONTRADICTS, OFF_TOPIC], now=NOW)
        classify_records(
            s, [SUPPORTS, CONTRADICTS, OFF_TOPIC], kb=ctx.knowledge_base, now=ctx.now()
        )
        s.commit()
    assert sync_knowledge_base(ctx) == (set(), 0)  # the first sync records the knowledge base
    old_version = ctx.knowledge_base.version
    ctx.close()

    edited = tmp_path / "findings.toml"
    text = DEFAULT_PATH.read_text()
    assert 'statement = "mRSS correlates with serum IgA level (P<0.01)."' in text
    edited.write_text(
        text.replace(
            'statement = "mRSS correlates with serum IgA level (P<0.01)."',
            'statement = "mRSS correlates with serum IgA level (P<0.01) in Japanese patients."',
        )
    )
    ctx = context(migrated_sqlite_url, edited)
    changed, count = sync_knowledge_base(ctx)
    assert changed == {"iga-mrss-correlation"}
    assert count == 2  # the two articles on topic; the off-topic one cannot be touched
    with Session(ctx.engine) as s:
        versions = {r.pmid: r.kb_version for r in s.exec(select(ClassificationRow))}
    assert versions == {
        SUPPORTS.pmid: ctx.knowledge_base.version,
        CONTRADICTS.pmid: ctx.knowledge_base.version,
        OFF_TOPIC.pmid: old_version,
    }
    assert sync_knowledge_base(ctx) == (set(), 0)  # nothing more to do
    ctx.close()
