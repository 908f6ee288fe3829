"""A digest is rendered once, when it is recorded; every try sends that message.

On both databases: what is stored at recording is what arrives, a retry sends the same
message, a digest recorded by an older version (no stored body) is rendered from its items,
a preview records nothing, and a colliding digest is refused by the store.
"""

from __future__ import annotations

import email
import email.policy
from datetime import timedelta
from email.utils import format_datetime

import pytest
from alembic import command
from sqlalchemy import insert
from sqlmodel import Session, select

from litwatch.digests.subscribers import add_subscriber, get_subscriber
from litwatch.jobs.digest_run import deliver_pending, preview, run_digests
from litwatch.store import digests as store
from litwatch.store.engine import alembic_config, make_engine, migrate
from litwatch.store.tables import Digest, DigestItem, Subscriber
from tests.digests.test_delivery import CONTRADICTS, NOW, SUPPORTS, make_ctx, received, seed
from tests.digests.test_mailer import Recorder, smtp_server
from tests.helpers.e2e import Clock

CLINICIAN = "clinician@example.org"


def parts(msg: email.message.EmailMessage) -> tuple[str, str]:
    text = msg.get_body(preferencelist=("plain",)).get_content()  # type: ignore[union-attr]
    html = msg.get_body(preferencelist=("html",)).get_content()  # type: ignore[union-attr]
    return text.replace("\r\n", "\n"), html.replace("\r\n", "\n")


def test_the_stored_message_is_what_is_sent_and_a_retry_sends_it_again(
    migrated_db_url: str,
) -> None:
    handler = Recorder(data_reply="451 4.3.0 try again later")
    with smtp_server(handler) as server:
        clock = Clock(NOW)
        ctx = make_ctx(migrated_db_url, server.port, clock)
        with Session(ctx.engine) as s:
            add_subscriber(s, CLINICIAN, now=NOW - timedelta(days=1), min_relevance="related")
            s.commit()
        seed(ctx, [SUPPORTS, CONTRADICTS])
        first = run_digests(ctx)
        assert (first.created, first.sent, first.retry) == (1, 0, 1)
        with Session(ctx.engine) as s:
            stored = s.exec(select(Digest)).one()
        assert stored.body_text and stored.body_html and stored.subject
        assert stored.unsubscribe_url and stored.unsubscribe_url in stored.body_html
        # The server takes it on the next try, later: the message is still the recorded one.
        handler.data_reply = ""
        clock.now += timedelta(minutes=30)
        assert deliver_pending(ctx).sent == 1
        ctx.close()
    [msg] = received(handler)
    assert msg["Message-ID"] == stored.message_id
    assert msg["Subject"] == stored.subject
    assert msg["Date"] == format_datetime(NOW)
    assert parts(msg) == (stored.body_text, stored.body_html)
    assert msg["List-Unsubscribe"] == f"<{stored.unsubscribe_url}>"


def test_a_preview_renders_without_recording(migrated_sqlite_url: str) -> None:
    ctx = make_ctx(migrated_sqlite_url, 1, Clock(NOW))
    with Session(ctx.engine) as s:
        add_subscriber(s, CLINICIAN, now=NOW - timedelta(days=1))
        s.commit()
    seed(ctx, [SUPPORTS])
    msg = preview(ctx, CLINICIAN)
    assert msg is not None and "91000001" in parts(msg)[0]
    with Session(ctx.engine) as s:
        assert s.exec(select(Digest)).all() == []
        assert s.exec(select(DigestItem)).all() == []
        sub = get_subscriber(s, CLINICIAN)
        assert sub is not None and sub.last_digest_at is None
    ctx.close()


def test_a_digest_colliding_with_another_is_refused_by_the_store(
    migrated_sqlite_url: str,
) -> None:
    ctx = make_ctx(migrated_sqlite_url, 1, Clock(NOW))
    with Session(ctx.engine) as s:
        sub_id = add_subscriber(s, CLINICIAN, now=NOW - timedelta(days=1)).id
        s.commit()
    assert sub_id is not None
    seed(ctx, [SUPPORTS])
    period = {"subscriber_id": sub_id, "period_start": NOW, "period_end": NOW, "now": NOW}
    with Session(ctx.engine) as s:
        first = store.add_digest(s, **period)  # type: ignore[arg-type]
        store.add_digest_items(s, first, [("91000001", "new")])
        s.commit()
        second = store.add_digest(s, **period)  # type: ignore[arg-type]
        with pytest.raises(store.DigestCollision):
            store.add_digest_items(s, second, [("91000001", "new")])
        s.rollback()
        assert [d.id for d in s.exec(select(Digest))] == [1]
    ctx.close()


def _record_as_before(url: str, sub_id: int) -> None:
    """A pending digest and its item as a version without stored messages wrote them."""
    engine = make_engine(url)
    with Session(engine) as s:
        s.execute(
            insert(Digest.__table__).values(  # type: ignore[attr-defined]
                id=1,
                subscriber_id=sub_id,
                status="pending",
                period_start=NOW - timedelta(days=1),
                period_end=NOW,
                created_at=NOW,
                attempts=0,
                next_attempt_at=NOW,
                claimed_by="",
                message_id="<litwatch-digest-1-1795082400@litwatch.example.org>",
                subject="",
                outbox_path="",
                last_error="",
            )
        )
        s.execute(
            insert(DigestItem.__table__).values(  # type: ignore[attr-defined]
                digest_id=1, subscriber_id=sub_id, pmid="91000001", kind="new"
            )
        )
        s.commit()
    engine.dispose()


def test_a_digest_recorded_by_an_older_version_is_rendered_from_its_items(db_url: str) -> None:
    engine = make_engine(db_url)
    migrate(engine)  # today's schema to seed with; taken back to 0002 before the digest
    engine.dispose()
    handler = Recorder()
    with smtp_server(handler) as server:
        ctx = make_ctx(db_url, server.port, Clock(NOW))
        with Session(ctx.engine) as s:
            sub = add_subscriber(s, CLINICIAN, now=NOW - timedelta(days=1))
            s.commit()
            assert sub.id is not None
            sub_id = sub.id
        seed(ctx, [SUPPORTS])
        command.downgrade(alembic_config(ctx.engine), "0002")
        _record_as_before(db_url, sub_id)
        migrate(ctx.engine)  # the upgrade leaves the queued digest without a body
        with Session(ctx.engine) as s:
            assert s.exec(select(Digest)).one().body_html is None
        assert deliver_pending(ctx).sent == 1
        with Session(ctx.engine) as s:
            digest = s.exec(select(Digest)).one()
            subscriber = s.get(Subscriber, sub_id)
        ctx.close()
    [msg] = received(handler)
    assert digest.status == "sent" and msg["Message-ID"] == digest.message_id
    assert msg["To"] == subscriber.email  # type: ignore[union-attr]
    assert "91000001" in parts(msg)[0] and msg["Subject"] == digest.subject
    # What was rendered is kept, so a later try would send the same.
    assert parts(msg) == (digest.body_text, digest.body_html)


def test_the_migration_goes_down_and_up_again(db_url: str) -> None:
    engine = make_engine(db_url)
    migrate(engine)
    command.downgrade(alembic_config(engine), "0002")
    migrate(engine)
    with Session(engine) as s:
        assert s.exec(select(Digest)).all() == []
    engine.dispose()
