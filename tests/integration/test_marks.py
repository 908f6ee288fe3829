"""Retractions, notices, reports of one trial, "needs review" and the rules version, through
the store: the evidence table, the digest, the pages and API, and the exports."""

from __future__ import annotations

import csv
import email
import email.policy
import io
import json
from collections.abc import Iterator
from datetime import UTC, datetime, timedelta
from pathlib import Path

import pytest
from sqlmodel import Session, select

from litwatch.config import load_settings
from litwatch.context import Context, build_context
from litwatch.digests.queue import compose_digest
from litwatch.digests.subscribers import add_subscriber
from litwatch.export.formats import FORMATS, write_export
from litwatch.export.rows import iter_export_rows
from litwatch.jobs.kb_sync import sync_knowledge_base
from litwatch.judging.classify_stored import classify_changed
from litwatch.judging.evidence import evidence_table
from litwatch.judging.rules import RULES_VERSION
from litwatch.records import Classification
from litwatch.store.articles import record_hits, upsert_articles
from litwatch.store.classifications import get_classification
from litwatch.store.searches import add_search, find_search
from litwatch.store.tables import (
    Article,
    ClassificationRow,
    Digest,
    DigestItem,
    KnowledgeBaseSnapshot,
)
from tests.helpers.e2e import Clock
from tests.integration.records import ERRATUM, FOLLOW_UP, RETRACTION, TO_RETRACT, TRIAL
from tests.web.test_app import app_client

NOW = datetime(2026, 11, 25, 10, 0, tzinfo=UTC)


def make_ctx(url: str) -> Context:
    settings = load_settings(
        database_url=url,
        ncbi_email="t@example.org",
        secret_key="s3cret",
        base_url="https://lw.test",
        web_public_read=True,  # the pages read here need no login
    )
    return build_context(settings, clock=Clock(NOW))


def store(ctx: Context, *batches: list, now: datetime = NOW) -> None:  # type: ignore[type-arg]
    """Store and classify each batch in turn, as polls would (at ``now``)."""
    with Session(ctx.engine) as s:
        search = find_search(s, "topic") or add_search(s, "topic", "rituximab", now=now)
        s.commit()
        for batch in batches:
            result = upsert_articles(s, batch, now=now)
            record_hits(s, search.id, [r.pmid for r in batch], now=now)  # type: ignore[arg-type]
            s.commit()
            classify_changed(s, result, batch, kb=ctx.knowledge_base, now=now)


@pytest.fixture
def ctx(migrated_sqlite_url: str) -> Iterator[Context]:
    context = make_ctx(migrated_sqlite_url)
    yield context
    context.close()


@pytest.mark.parametrize("notice_first", [True, False])
def test_a_retraction_marks_its_article_whichever_arrives_first(
    db_url: str, notice_first: bool
) -> None:
    from litwatch.store.engine import migrate

    ctx = make_ctx(db_url)
    migrate(ctx.engine)
    batches = ([RETRACTION], [TO_RETRACT]) if notice_first else ([TO_RETRACT], [RETRACTION])
    store(ctx, *batches)
    with Session(ctx.engine) as s:
        assert s.exec(select(Article).where(Article.pmid == TO_RETRACT.pmid)).one().retracted
        target = get_classification(s, TO_RETRACT.pmid)
        notice = get_classification(s, RETRACTION.pmid)
        table = evidence_table(s, "mrss-improvement")
    assert target is not None and "retracted" in target.flags
    # The notice is about a core article: core itself, but no study, no stance, linked.
    assert notice is not None and notice.relevance == "core" and notice.findings == []
    assert f"notice-of:{TO_RETRACT.pmid}" in notice.flags and notice.design == "other"
    [row] = table.rows
    assert row.retracted and not row.counted and row.not_counted == "retracted"
    assert table.counted == 0 and table.not_counted["retracted"] == 1
    ctx.close()


def test_reports_of_one_trial_are_each_shown_and_counted_once(ctx: Context) -> None:
    store(ctx, [TRIAL], [FOLLOW_UP])
    with Session(ctx.engine) as s:
        table = evidence_table(s, "mrss-improvement")
    by_pmid = {r.pmid: r for r in table.rows}
    assert set(by_pmid) == {TRIAL.pmid, FOLLOW_UP.pmid}
    assert by_pmid[TRIAL.pmid].same_trial == (FOLLOW_UP.pmid,)
    assert table.counts["supports"] == 1 and table.not_counted["same trial"] == 1
    assert [r.pmid for r in table.rows if r.counted] == [FOLLOW_UP.pmid]  # the latest report


def test_a_judgement_below_the_threshold_needs_review_and_is_not_counted(ctx: Context) -> None:
    store(ctx, [TO_RETRACT.__class__.from_dict({**TO_RETRACT.to_dict(), "pmid": "92000050"})])
    with Session(ctx.engine) as s:
        row = s.exec(select(ClassificationRow)).one()
        c = Classification.from_dict(row.data)
        c.findings[0].confidence = 0.6
        from litwatch.store.classifications import save_classifications

        save_classifications(s, [(c, [])], NOW)
        s.commit()
        table = evidence_table(s, "mrss-improvement")
    [r] = table.rows
    assert r.needs_review and not r.counted and table.not_counted["needs review"] == 1
    with app_client(ctx) as client:
        page = client.get("/article/92000050").text
        evidence = client.get("/evidence/mrss-improvement").text
        api = client.get("/api/articles/92000050").json()
        found = client.get("/api/search", params={"q": "rituximab", "local": "1"}).json()
    assert "needs review" in page.lower() and "leans supports" in page
    assert "needs review" in evidence and "not counted: needs review" in evidence
    assert api["needs_review"][0]["sentence"].startswith("In 45 patients")
    [hit] = found["results"]
    assert hit["findings"][0]["needs_review"] is True and hit["findings"][0]["sentence"]


def test_the_digest_marks_retractions_notices_and_follow_ups(ctx: Context) -> None:
    store(ctx, [TRIAL, RETRACTION, ERRATUM], [FOLLOW_UP, TO_RETRACT])
    with Session(ctx.engine) as s:
        sub = add_subscriber(s, "dr@example.org", now=NOW - timedelta(days=1))
        s.commit()
        from litwatch.jobs.digest_run import render_settings

        composed = compose_digest(s, sub, now=NOW, rendering=render_settings(ctx))
    assert composed is not None
    summary = composed.content.summary
    assert [i.pmid for i in summary["retracted"]] == [TO_RETRACT.pmid]
    assert summary["contradictions"] == [] and summary["multicentre_rcts"] == []
    entries = {e.item.pmid: (sec.kind, e) for sec in composed.content.sections for e in sec.items}
    kinds = {pmid: kind for pmid, (kind, _) in entries.items()}
    # A notice of an article in the same digest is shown with that article, not apart.
    assert RETRACTION.pmid not in kinds and ERRATUM.pmid not in kinds
    assert [n.pmid for n in entries[TO_RETRACT.pmid][1].notices] == [RETRACTION.pmid]
    assert [n.pmid for n in entries[TRIAL.pmid][1].notices] == [ERRATUM.pmid]
    assert kinds[TO_RETRACT.pmid] == "marked" and kinds[TRIAL.pmid] == "finding"
    assert composed.content.summary["notice_count"] == 2
    assert kinds[FOLLOW_UP.pmid] == "finding"
    text, html = composed.rendered.text, composed.rendered.html
    assert "RETRACTED: not counted as evidence" in text
    assert f"Retraction notice, in this digest: {RETRACTION.title} (PMID {RETRACTION.pmid}" in text
    assert f"Follow-up of: {TRIAL.title} (PMID {TRIAL.pmid}, 2026), the same trial." in text
    assert f"Erratum, in this digest: {ERRATUM.title} (PMID {ERRATUM.pmid}" in text
    assert "Retracted: not counted as evidence" in html
    assert f"/article/{TRIAL.pmid}" in html and "Follow-up of" in html


def test_pages_and_api_link_notices_and_reports_of_one_trial(ctx: Context) -> None:
    store(ctx, [RETRACTION, ERRATUM], [TRIAL, FOLLOW_UP, TO_RETRACT])
    with app_client(ctx) as client:
        notice = client.get(f"/api/articles/{RETRACTION.pmid}").json()
        target = client.get(f"/api/articles/{TO_RETRACT.pmid}").json()
        trial = client.get(f"/api/articles/{TRIAL.pmid}").json()
        evidence = client.get("/api/evidence/mrss-improvement").json()
        page = client.get(f"/article/{TRIAL.pmid}").text
        retracted_page = client.get(f"/article/{TO_RETRACT.pmid}").text
    assert [x["pmid"] for x in notice["notice_of"]] == [TO_RETRACT.pmid]
    assert target["retracted"] and [x["pmid"] for x in target["notices"]] == [RETRACTION.pmid]
    assert [x["pmid"] for x in trial["same_trial"]] == [FOLLOW_UP.pmid]
    assert trial["trial_keys"] == ["NCT09990001"] and trial["notices"][0]["kind"] == "erratum"
    assert evidence["counts"]["supports"] == 1 and evidence["not_counted"]["retracted"] == 1
    assert 'id="same-trial"' in page and f"/article/{FOLLOW_UP.pmid}" in page
    assert (
        "not counted as evidence" in retracted_page
        and f"/article/{RETRACTION.pmid}" in retracted_page
    )


def test_exports_carry_a_retraction_known_only_from_its_notice(ctx: Context) -> None:
    store(ctx, [RETRACTION], [TO_RETRACT])
    with Session(ctx.engine) as s:
        rows = [r for r in iter_export_rows(s) if r.article.pmid == TO_RETRACT.pmid]
        out = {}
        for name in FORMATS:
            buffer = io.StringIO()
            write_export(rows, name, buffer)
            out[name] = buffer.getvalue()
    [line] = out["jsonl"].splitlines()
    assert json.loads(line)["retracted"] is True
    [row] = list(csv.DictReader(io.StringIO(out["csv"])))
    assert row["retracted"] == "true"
    assert "RETRACTED." in out["ris"] and "RETRACTED." in out["bibtex"]


def test_a_change_of_rules_reclassifies_what_older_rules_judged(ctx: Context) -> None:
    store(ctx, [TRIAL, FOLLOW_UP])
    assert sync_knowledge_base(ctx) == (set(), 0)  # the first sync records the rules
    with Session(ctx.engine) as s:
        # As older rules left it: a design label they did not know, and no rules version.
        row = s.exec(select(ClassificationRow).where(ClassificationRow.pmid == TRIAL.pmid)).one()
        old = {**row.data, "design": "other", "rules_version": ""}
        row.data, row.design, row.rules_version = old, "other", ""
        s.add(row)
        snap = s.exec(select(KnowledgeBaseSnapshot)).one()
        snap.rules_version = "older"
        s.add(snap)
        s.commit()
    changed, count = sync_knowledge_base(ctx)
    assert changed == set() and count == 1
    with Session(ctx.engine) as s:
        c = get_classification(s, TRIAL.pmid)
        versions = {r.pmid: r.rules_version for r in s.exec(select(ClassificationRow))}
    assert c is not None and c.design == "rct" and c.rules_version == RULES_VERSION
    assert set(versions.values()) == {RULES_VERSION}
    assert sync_knowledge_base(ctx) == (set(), 0)


def test_a_retraction_known_before_sending_is_shown_in_place_not_sent_later(
    ctx: Context, tmp_path: Path
) -> None:
    from litwatch.digests.mailer import make_mailer
    from litwatch.digests.queue import make_due_digests
    from litwatch.jobs.digest_run import deliver_pending, render_settings, run_digests
    from litwatch.store.searches import get_search

    store(ctx, [TO_RETRACT])
    with Session(ctx.engine) as s:
        sub = add_subscriber(s, "dr@example.org", now=NOW - timedelta(days=1))
        s.commit()
        [digest_id] = make_due_digests(
            s, [sub], now=NOW, rendering=render_settings(ctx), message_id_domain="lw.test"
        )
        recorded = s.get(Digest, digest_id)
        assert recorded is not None and "RETRACTED" not in (recorded.body_text or "")
        # The notice arrives after the digest was recorded, before it is sent.
        search = get_search(s, "topic")
        stored = upsert_articles(s, [RETRACTION], now=NOW)
        record_hits(s, search.id, [RETRACTION.pmid], now=NOW)  # type: ignore[arg-type, union-attr]
        s.commit()
        classify_changed(s, stored, [RETRACTION], kb=ctx.knowledge_base, now=NOW)
    mailer = make_mailer(None, tmp_path / "outbox")
    try:
        sent = deliver_pending(ctx, mailer=mailer)
        assert sent.sent == 1
        [path] = sent.outbox
        text = email.message_from_bytes(Path(path).read_bytes(), policy=email.policy.default)
        body = text.get_body(preferencelist=("plain",)).get_content()  # type: ignore[union-attr]
        assert "RETRACTED: not counted as evidence" in body and "supports" not in body.lower()
        # The retraction is announced: no second message follows with it.
        later = run_digests(ctx, force=True, mailer=mailer)
        assert (later.created, later.sent) == (0, 0)
    finally:
        mailer.close()
    with Session(ctx.engine) as s:
        kinds = sorted(i.kind for i in s.exec(select(DigestItem)))
    assert kinds == ["new", "retraction"]
