"""Digests through the queue to a real SMTP server (aiosmtpd on loopback), on both databases."""

from __future__ import annotations

import email
import email.policy
from collections.abc import Iterator
from datetime import UTC, date, datetime, timedelta

import pytest
from sqlmodel import Session, select

from litwatch.config import load_settings
from litwatch.context import Context, build_context
from litwatch.digests.signed_links import read_token
from litwatch.digests.subscribers import add_subscriber
from litwatch.jobs.digest_run import deliver_pending, run_digests
from litwatch.judging.classify_stored import classify_pmids
from litwatch.records import AbstractSection, ArticleRecord, CommentCorrection
from litwatch.store.articles import record_hits, upsert_articles
from litwatch.store.searches import add_search, find_search
from litwatch.store.tables import Digest, DigestItem, JobRun
from tests.digests.test_mailer import Recorder, free_port, smtp_server
from tests.helpers.e2e import Clock

NOW = datetime(2026, 11, 25, 10, 0, tzinfo=UTC)  # after 07:00: a daily digest is due


def article(pmid: str, title: str, abstract: str, **kw: object) -> ArticleRecord:
    return ArticleRecord(
        pmid=pmid,
        title=title,
        abstract_sections=[AbstractSection("", "", abstract)],
        journal_title="Journal of Made-up Rheumatology",
        pub_year=2026,
        pub_date=date(2026, 11, 20),
        create_date=date(2026, 11, 24),
        publication_types=["Journal Article"],
        **kw,  # type: ignore[arg-type]
    )


SUPPORTS = article(
    "91000001",
    "Rituximab for skin fibrosis in systemic sclerosis: a cohort of 40 patients",
    "In 40 patients with diffuse cutaneous systemic sclerosis, rituximab reduced the modified "
    "Rodnan skin score from 22.1 to 14.0 at 12 months (p<0.001).",
)
CONTRADICTS = article(
    "91000002",
    "Lung function after rituximab in systemic sclerosis",
    "Among 35 patients with systemic sclerosis treated with rituximab, forced vital capacity "
    "fell from 78% to 71% predicted over 24 months (p=0.02); rituximab did not improve FVC.",
)
OFF_TOPIC = article(
    "91000003",
    "Rituximab in pemphigus vulgaris",
    "Rituximab led to remission in 80 patients with pemphigus vulgaris.",
)


def seed(ctx: Context, records: list[ArticleRecord], search: str = "topic") -> None:
    with Session(ctx.engine) as s:
        found = find_search(s, search) or add_search(s, search, "rituximab", now=ctx.now())
        upsert_articles(s, records, now=ctx.now())
        record_hits(s, found.id, [r.pmid for r in records], now=ctx.now())
        s.commit()
        classify_pmids(s, [r.pmid for r in records], kb=ctx.knowledge_base, now=ctx.now())
        s.commit()


@pytest.fixture
def smtp() -> Iterator[tuple[Recorder, int]]:
    handler = Recorder()
    with smtp_server(handler) as controller:
        yield handler, controller.port


def make_ctx(db_url: str, port: int, clock: Clock) -> Context:
    settings = load_settings(
        database_url=db_url,
        smtp_url=f"smtp://127.0.0.1:{port}",
        secret_key="s3cret",
        base_url="https://litwatch.example.org",
        mail_from="litwatch <digest@litwatch.example.org>",
        ncbi_email="t@example.org",
    )
    return build_context(settings, clock=clock)


@pytest.fixture
def world(migrated_db_url: str, smtp) -> Iterator[tuple]:  # type: ignore[no-untyped-def, type-arg]
    handler, port = smtp
    clock = Clock(NOW)
    ctx = make_ctx(migrated_db_url, port, clock)
    with Session(ctx.engine) as s:
        add_subscriber(
            s, "clinician@example.org", now=NOW - timedelta(days=1), min_relevance="related"
        )
        s.commit()
    yield ctx, handler, clock
    ctx.close()


def received(handler: Recorder) -> list[email.message.EmailMessage]:
    return [
        email.message_from_bytes(env.original_content, policy=email.policy.default)  # type: ignore[misc]
        for env, _ in handler.received
    ]


def test_a_digest_is_sent_once_with_both_parts_and_working_links(world) -> None:  # type: ignore[no-untyped-def]
    ctx, handler, clock = world
    seed(ctx, [SUPPORTS, CONTRADICTS, OFF_TOPIC])
    result = run_digests(ctx)
    assert (result.created, result.sent, result.failed) == (1, 1, 0)
    [msg] = received(handler)
    assert msg.get_content_type() == "multipart/alternative"
    text = msg.get_body(preferencelist=("plain",)).get_content()  # type: ignore[union-attr]
    html = msg.get_body(preferencelist=("html",)).get_content()  # type: ignore[union-attr]
    assert "91000001" in text and "91000002" in text and "91000003" not in text
    assert "https://pubmed.ncbi.nlm.nih.gov/91000002/" in html
    assert "<script" not in html.lower()
    with Session(ctx.engine) as s:
        digest = s.exec(select(Digest)).one()
        assert digest.status == "sent" and msg["Message-ID"] == digest.message_id
        assert {i.pmid for i in s.exec(select(DigestItem))} == {"91000001", "91000002"}
    assert msg["Date"] and msg["List-Unsubscribe-Post"] == "List-Unsubscribe=One-Click"
    raw = handler.received[0][0].original_content
    assert b"List-Unsubscribe: <https://litwatch.example.org/unsubscribe/" in raw
    unsubscribe = msg["List-Unsubscribe"].strip("<>").split(">")[0]
    token = unsubscribe.rsplit("/", 1)[1]
    assert read_token("s3cret", "unsubscribe", token)["email"] == "clinician@example.org"
    # The contradiction is called out before anything else.
    assert text.index("91000002") < text.index("91000001")

    # A second run sends nothing: not due again, and nothing new even if forced.
    assert run_digests(ctx).sent == 0
    clock.now += timedelta(days=1)
    assert run_digests(ctx, force=True).sent == 0
    assert len(handler.received) == 1


def test_refused_connection_is_retried_later_and_delivered_once(migrated_db_url: str) -> None:
    port = free_port()  # nothing listens there yet
    clock = Clock(NOW)
    ctx = make_ctx(migrated_db_url, port, clock)
    with Session(ctx.engine) as s:
        add_subscriber(s, "clinician@example.org", now=NOW - timedelta(days=1))
        s.commit()
    seed(ctx, [SUPPORTS])
    first = run_digests(ctx)
    assert (first.created, first.sent, first.retry) == (1, 0, 1)
    with Session(ctx.engine) as s:
        digest = s.exec(select(Digest)).one()
        assert digest.status == "pending" and digest.attempts == 1
        assert digest.next_attempt_at > NOW and "refused" in digest.last_error.lower()
    # Not yet time to retry: nothing is tried.
    assert deliver_pending(ctx).attempted == 0
    handler = Recorder()
    from aiosmtpd.controller import Controller

    controller = Controller(handler, hostname="127.0.0.1", port=port)
    controller.start()
    try:
        clock.now += timedelta(minutes=6)
        assert deliver_pending(ctx).sent == 1
        assert deliver_pending(ctx).attempted == 0
        clock.now += timedelta(days=1)
        assert run_digests(ctx).sent == 0
    finally:
        controller.stop()
    assert len(handler.received) == 1
    ctx.close()


def test_a_permanent_failure_is_recorded_and_shown(migrated_sqlite_url: str) -> None:
    handler = Recorder(rcpt_reply="550 5.1.1 No such user here")
    with smtp_server(handler) as controller:
        clock = Clock(NOW)
        ctx = make_ctx(migrated_sqlite_url, controller.port, clock)
        with Session(ctx.engine) as s:
            add_subscriber(s, "gone@example.org", now=NOW - timedelta(days=1))
            s.commit()
        seed(ctx, [SUPPORTS])
        result = run_digests(ctx)
        assert (result.sent, result.failed) == (0, 1)
        with Session(ctx.engine) as s:
            digest = s.exec(select(Digest)).one()
            assert digest.status == "failed" and "550" in digest.last_error
            run = s.exec(select(JobRun)).one()
            assert run.status == "errors" and "550" in run.error
        clock.now += timedelta(hours=1)
        assert deliver_pending(ctx).attempted == 0  # never retried, never dropped silently
        ctx.close()


def test_a_retraction_of_an_article_sent_before_is_announced_once(world) -> None:  # type: ignore[no-untyped-def]
    ctx, handler, clock = world
    seed(ctx, [SUPPORTS])
    assert run_digests(ctx).sent == 1
    # PubMed updates the record: it is now retracted.
    retracted = ArticleRecord.from_dict(SUPPORTS.to_dict())
    retracted.comments_corrections = [CommentCorrection("RetractionIn", "91000009", "J 2026")]
    clock.now += timedelta(days=1)
    seed(ctx, [retracted])
    assert run_digests(ctx).sent == 1
    notice = received(handler)[-1]
    text = notice.get_body(preferencelist=("plain",)).get_content()  # type: ignore[union-attr]
    assert "91000001" in text and "retract" in text.lower()
    with Session(ctx.engine) as s:
        kinds = sorted((i.pmid, i.kind) for i in s.exec(select(DigestItem)))
    assert kinds == [("91000001", "new"), ("91000001", "retraction")]
    clock.now += timedelta(days=1)
    seed(ctx, [retracted])
    assert run_digests(ctx).sent == 0
    assert len(handler.received) == 2


def test_nothing_new_sends_nothing_unless_asked(world) -> None:  # type: ignore[no-untyped-def]
    ctx, handler, clock = world
    assert run_digests(ctx).created == 0
    with Session(ctx.engine) as s:
        add_subscriber(s, "always@example.org", now=NOW - timedelta(days=1), send_empty=True)
        s.commit()
    clock.now += timedelta(days=1)
    result = run_digests(ctx)
    assert result.sent == 1
    [msg] = received(handler)
    assert msg["To"] == "always@example.org"


def test_without_smtp_digests_go_to_the_outbox(migrated_sqlite_url: str, tmp_path) -> None:  # type: ignore[no-untyped-def]
    settings = load_settings(
        database_url=migrated_sqlite_url,
        outbox_dir=tmp_path / "outbox",
        secret_key="k",
        ncbi_email="t@example.org",
    )
    ctx = build_context(settings, clock=Clock(NOW))
    with Session(ctx.engine) as s:
        add_subscriber(s, "clinician@example.org", now=NOW - timedelta(days=1))
        s.commit()
    seed(ctx, [SUPPORTS])
    result = run_digests(ctx)
    [path] = result.outbox
    assert (
        path.endswith(".eml") and (tmp_path / "outbox") in __import__("pathlib").Path(path).parents
    )
    ctx.close()
