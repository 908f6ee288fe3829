"""An SMTP server that answers 4xx, or refuses one recipient with 5xx (aiosmtpd on loopback):
each digest is retried or recorded, never lost, never sent twice."""

from __future__ import annotations

from datetime import timedelta
from typing import Any

import pytest
from sqlmodel import Session, select

from litwatch.digests.subscribers import add_subscriber
from litwatch.jobs.digest_run import deliver_pending, run_digests
from litwatch.store.tables import Digest, Subscriber
from tests.digests.test_delivery import NOW, SUPPORTS, make_ctx, received, seed
from tests.digests.test_mailer import Recorder, smtp_server
from tests.helpers.e2e import Clock


class Moody(Recorder):
    """Answers ``reply`` at ``stage`` ('RCPT' or 'DATA') the first ``times`` times, and
    refuses every address in ``refused`` with a 5xx, always."""

    def __init__(self, stage: str = "", reply: str = "", times: int = 0, refused=()) -> None:  # type: ignore[no-untyped-def]
        super().__init__()
        self.stage, self.reply, self.times = stage, reply, times
        self.refused = set(refused)

    def _fault(self, stage: str) -> str:
        if self.stage == stage and self.times > 0:
            self.times -= 1
            return self.reply
        return ""

    async def handle_RCPT(self, server, session, envelope, address, rcpt_options):  # type: ignore[no-untyped-def]
        if address in self.refused:
            return "550 5.1.1 No such user here"
        return self._fault("RCPT") or await super().handle_RCPT(
            server, session, envelope, address, rcpt_options
        )

    async def handle_DATA(self, server, session, envelope):  # type: ignore[no-untyped-def]
        return self._fault("DATA") or await super().handle_DATA(server, session, envelope)


def digests(ctx: Any) -> dict[str, Digest]:
    with Session(ctx.engine) as s:
        rows = s.exec(select(Digest, Subscriber.email).join(Subscriber)).all()
    return {address: digest for digest, address in rows}


@pytest.mark.parametrize(
    ("stage", "reply"),
    [
        ("RCPT", "450 4.2.1 Mailbox busy, try later"),
        ("DATA", "451 4.3.0 Local error in processing"),
        ("DATA", "421 4.7.0 Too many connections, closing"),
    ],
)
def test_a_4xx_answer_is_retried_later_and_delivered_once(
    migrated_db_url: str, stage: str, reply: str
) -> None:
    handler = Moody(stage, reply, times=2)
    with smtp_server(handler) as controller:
        clock = Clock(NOW)
        ctx = make_ctx(migrated_db_url, controller.port, clock)
        with Session(ctx.engine) as s:
            add_subscriber(s, "clinician@example.org", now=NOW - timedelta(days=1))
            s.commit()
        seed(ctx, [SUPPORTS])
        first = run_digests(ctx)
        assert (first.created, first.sent, first.retry, first.failed) == (1, 0, 1, 0)
        digest = digests(ctx)["clinician@example.org"]
        assert digest.status == "pending" and digest.attempts == 1
        assert reply.split()[0] in digest.last_error and digest.next_attempt_at > NOW
        assert deliver_pending(ctx).attempted == 0  # not before its time
        clock.now += timedelta(minutes=6)
        assert deliver_pending(ctx).retry == 1  # the server is still unwell: kept again
        clock.now += timedelta(minutes=11)
        assert deliver_pending(ctx).sent == 1
        clock.now += timedelta(days=1)
        assert run_digests(ctx).sent == 0 and deliver_pending(ctx).attempted == 0
        digest = digests(ctx)["clinician@example.org"]
        ctx.close()
    [msg] = received(handler)
    assert digest.status == "sent" and digest.attempts == 3
    assert msg["Message-ID"] == digest.message_id  # the same message every try


def test_one_refused_recipient_is_recorded_and_the_others_are_sent_once(
    migrated_db_url: str,
) -> None:
    handler = Moody(refused={"gone@example.org"})
    with smtp_server(handler) as controller:
        clock = Clock(NOW)
        ctx = make_ctx(migrated_db_url, controller.port, clock)
        with Session(ctx.engine) as s:
            for address in ("ada@example.org", "gone@example.org", "bo@example.org"):
                add_subscriber(s, address, now=NOW - timedelta(days=1))
            s.commit()
        seed(ctx, [SUPPORTS])
        result = run_digests(ctx)
        assert (result.created, result.sent, result.failed, result.retry) == (3, 2, 1, 0)
        clock.now += timedelta(hours=13)
        assert deliver_pending(ctx).attempted == 0  # a 5xx is final: never retried
        clock.now += timedelta(days=1)
        assert run_digests(ctx).sent == 0
        rows = digests(ctx)
        ctx.close()
    to = sorted(m["To"] for m in received(handler))
    assert to == ["ada@example.org", "bo@example.org"]
    assert rows["gone@example.org"].status == "failed"
    assert "550" in rows["gone@example.org"].last_error
    assert "gone@example.org" in rows["gone@example.org"].last_error
    assert {rows[a].status for a in ("ada@example.org", "bo@example.org")} == {"sent"}
