"""Send recorded digests: claim one, render it, hand it to the mailer, mark the outcome.

A digest is claimed with a compare-and-set UPDATE (and, on PostgreSQL, picked with
FOR UPDATE SKIP LOCKED) so two workers never send it twice. A temporary failure puts it back
with a later ``next_attempt_at``; a permanent one marks it failed with the server's answer.
"""

from __future__ import annotations

import logging
from dataclasses import dataclass, field
from datetime import datetime, timedelta
from email.message import EmailMessage
from email.utils import parseaddr

from sqlalchemy import update
from sqlmodel import Session, col, select

from litwatch.context import Context
from litwatch.digests.build import DigestLinks, build_digest, build_message, render_digest
from litwatch.digests.mailer import Mailer, make_mailer
from litwatch.digests.queue import (
    as_digest_subscriber,
    digest_items,
    make_digest,
    make_due_digests,
)
from litwatch.digests.subscribers import get_subscriber, list_subscribers
from litwatch.errors import DeliveryError, StoreError
from litwatch.jobs.due import digest_due
from litwatch.jobs.locks import holder_id, job_lock
from litwatch.store.tables import Digest, JobRun, Subscriber

log = logging.getLogger(__name__)

MAX_ATTEMPTS = 12
STALE_CLAIM = timedelta(hours=1)


def retry_delay(attempts: int) -> timedelta:
    """5 min, 10, 20, ... capped at 12 h."""
    return min(timedelta(minutes=5) * 2 ** max(attempts - 1, 0), timedelta(hours=12))


@dataclass
class DeliveryResult:
    created: int = 0
    sent: int = 0
    retry: int = 0
    failed: int = 0
    outbox: list[str] = field(default_factory=list)
    errors: list[str] = field(default_factory=list)

    @property
    def attempted(self) -> int:
        return self.sent + self.retry + self.failed

    def line(self) -> str:
        return (
            f"{self.created} digest(s) made, {self.sent} sent, {self.retry} to retry, "
            f"{self.failed} failed"
        )


def _domain(ctx: Context) -> str:
    address = parseaddr(ctx.settings.mail_from)[1]
    return address.rpartition("@")[2] or "localhost"


def _kb_statements(ctx: Context) -> dict[str, str]:
    return {f.id: f.statement for f in ctx.knowledge_base.findings}


def render_message(ctx: Context, session: Session, digest: Digest) -> EmailMessage:
    """The email for a recorded digest (the same Message-ID on every try)."""
    sub = session.get(Subscriber, digest.subscriber_id)
    assert sub is not None
    items = digest_items(session, digest)
    built = build_digest(
        as_digest_subscriber(sub),
        items,
        period_start=digest.period_start or digest.period_end,
        period_end=digest.period_end,
        kb_statements=_kb_statements(ctx),
    )
    if built is None:  # send_empty was switched off since: an empty digest still goes out
        sub_dc = as_digest_subscriber(sub)
        sub_dc.send_empty = True
        built = build_digest(
            sub_dc,
            items,
            period_start=digest.period_start or digest.period_end,
            period_end=digest.period_end,
            kb_statements=_kb_statements(ctx),
        )
    assert built is not None
    rendered = render_digest(
        ctx.templates,
        built,
        DigestLinks(base_url=ctx.settings.base_url, secret=ctx.secret_key),
        timezone=ctx.settings.timezone,
        now=digest.period_end,
    )
    msg = build_message(
        rendered,
        sender=ctx.settings.mail_from,
        to=sub.email,
        message_id_domain=_domain(ctx),
        now=ctx.now(),
    )
    del msg["Message-ID"]
    msg["Message-ID"] = digest.message_id
    return msg


def claim_next(
    session: Session, *, now: datetime, only_subscriber: int | None = None
) -> Digest | None:
    """Take the next digest due for sending, or None. The UPDATE decides who has it."""
    # A claim left by a worker that died is given back after a while.
    session.execute(
        update(Digest)
        .where(col(Digest.status) == "sending", col(Digest.claimed_at) < now - STALE_CLAIM)
        .values(status="pending")
    )
    session.commit()
    stmt = (
        select(Digest.id)
        .where(col(Digest.status) == "pending", col(Digest.next_attempt_at) <= now)
        .order_by(col(Digest.id))
        .limit(1)
    )
    if only_subscriber is not None:
        stmt = stmt.where(Digest.subscriber_id == only_subscriber)
    if session.get_bind().dialect.name == "postgresql":
        stmt = stmt.with_for_update(skip_locked=True)
    digest_id = session.exec(stmt).first()
    if digest_id is None:
        session.rollback()
        return None
    taken = session.execute(
        update(Digest)
        .where(col(Digest.id) == digest_id, col(Digest.status) == "pending")
        .values(status="sending", claimed_by=holder_id(), claimed_at=now)
    ).rowcount
    session.commit()
    return session.get(Digest, digest_id) if taken == 1 else None


def _mark(session: Session, digest: Digest, **values: object) -> None:
    session.execute(update(Digest).where(col(Digest.id) == digest.id).values(**values))
    session.commit()


def deliver_pending(
    ctx: Context, *, mailer: Mailer | None = None, only_email: str | None = None
) -> DeliveryResult:
    """Send every digest that is due; each one claimed first, then marked sent or failed."""
    result = DeliveryResult()
    own_mailer = mailer is None
    mailer = mailer or make_mailer(ctx.settings.smtp_url, ctx.settings.outbox_dir)
    try:
        with Session(ctx.engine) as session:
            only = None
            if only_email:
                sub = get_subscriber(session, only_email)
                only = sub.id if sub else -1
            while (digest := claim_next(session, now=ctx.now(), only_subscriber=only)) is not None:
                _send_one(ctx, session, digest, mailer, result)
    finally:
        if own_mailer:
            mailer.close()
    return result


def _send_one(
    ctx: Context, session: Session, digest: Digest, mailer: Mailer, result: DeliveryResult
) -> None:
    attempts = digest.attempts + 1
    try:
        msg = render_message(ctx, session, digest)
        where = mailer.send(msg)
    except DeliveryError as exc:
        now = ctx.now()
        if exc.permanent or attempts >= MAX_ATTEMPTS:
            _mark(session, digest, status="failed", attempts=attempts, last_error=str(exc))
            result.failed += 1
            log.error("digest %s failed for good: %s", digest.id, exc)
        else:
            _mark(
                session,
                digest,
                status="pending",
                attempts=attempts,
                last_error=str(exc),
                next_attempt_at=now + retry_delay(attempts),
            )
            result.retry += 1
            log.warning("digest %s will be retried: %s", digest.id, exc)
        result.errors.append(str(exc))
        return
    except Exception as exc:
        # Rendering trouble is ours, not the server's: keep the digest and say why.
        _mark(
            session,
            digest,
            status="pending",
            attempts=attempts,
            last_error=f"{type(exc).__name__}: {exc}",
            next_attempt_at=ctx.now() + retry_delay(attempts),
        )
        result.retry += 1
        result.errors.append(f"{type(exc).__name__}: {exc}")
        log.exception("digest %s could not be rendered", digest.id)
        return
    _mark(
        session,
        digest,
        status="sent",
        attempts=attempts,
        sent_at=ctx.now(),
        subject=str(msg["Subject"]),
        outbox_path=str(where or ""),
        last_error="",
    )
    result.sent += 1
    if where:
        result.outbox.append(str(where))


def due_subscribers(ctx: Context, session: Session, *, force: bool = False) -> list[Subscriber]:
    s = ctx.settings
    now = ctx.now()
    subs = []
    for sub in list_subscribers(session, active_only=True):
        if force or digest_due(
            sub.frequency,
            sub.last_digest_at,
            sub.created_at,  # type: ignore[arg-type]
            now,
            at=s.digest_time,
            weekday=s.digest_weekday,
            tz=s.timezone,
        ):
            subs.append(sub)
    return subs


def run_digests(
    ctx: Context,
    *,
    only_email: str | None = None,
    force: bool = False,
    mailer: Mailer | None = None,
) -> DeliveryResult:
    """Record the digests that are due, then send everything pending. One run at a time."""
    started = ctx.now()
    with job_lock(ctx.engine, "digests") as acquired:
        if not acquired:
            log.info("a digest run is going on elsewhere; skipped")
            return DeliveryResult()
        with Session(ctx.engine) as session:
            subs = due_subscribers(ctx, session, force=force)
            if only_email:
                wanted = get_subscriber(session, only_email)
                subs = [s for s in subs if wanted is not None and s.id == wanted.id]
            made = make_due_digests(
                session,
                subs,
                now=ctx.now(),
                kb_statements=_kb_statements(ctx),
                message_id_domain=_domain(ctx),
            )
        result = deliver_pending(ctx, mailer=mailer, only_email=only_email)
        result.created = len(made)
    with Session(ctx.engine) as session:
        session.add(
            JobRun(
                job="digests",
                started_at=started,
                finished_at=ctx.now(),
                status="ok" if not result.failed and not result.retry else "errors",
                counts={
                    "created": result.created,
                    "sent": result.sent,
                    "retry": result.retry,
                    "failed": result.failed,
                },
                error="; ".join(result.errors)[:4000],
            )
        )
        session.commit()
    return result


def preview(ctx: Context, email: str, *, force: bool = True) -> EmailMessage | None:
    """The digest ``email`` would get now, rendered but not recorded (None: nothing to send).

    With ``force`` an empty digest is shown rather than nothing."""
    with Session(ctx.engine) as session:
        sub = get_subscriber(session, email)
        if sub is None:
            raise StoreError(f"{email} is not a subscriber")
        try:
            sub.send_empty = sub.send_empty or force  # rolled back below with the rest
            digest = make_digest(
                session,
                sub,
                now=ctx.now(),
                kb_statements=_kb_statements(ctx),
                message_id_domain=_domain(ctx),
            )
            return render_message(ctx, session, digest) if digest is not None else None
        finally:
            session.rollback()
