"""The digest job: unpack the context and run the digests stage (record what is due, send).

``run_digests`` is what the scheduler and ``litwatch digest send`` run: one run at a time
(a job lock), the due subscribers' digests recorded, everything pending sent, and a JobRun row
for ``litwatch runs``. ``deliver_pending`` is the scheduler's retry sweep; ``preview`` renders
what a subscriber would get now without recording anything.
"""

from __future__ import annotations

import logging
from dataclasses import dataclass
from datetime import datetime
from email.message import EmailMessage

from sqlmodel import Session

from litwatch.context import Context
from litwatch.digests import delivery
from litwatch.digests.delivery import DeliveryResult
from litwatch.digests.mailer import Mailer, make_mailer
from litwatch.digests.message import build_message, message_id_domain
from litwatch.digests.queue import compose_digest, make_due_digests
from litwatch.digests.rendering import DigestLinks, RenderSettings
from litwatch.digests.subscribers import get_subscriber
from litwatch.digests.wording import measures_of
from litwatch.errors import StoreError
from litwatch.jobs.due import digest_due, next_digest_at
from litwatch.jobs.locks import gone_from_this_host, holder_id, job_lock
from litwatch.store.digests import claims, release_claim
from litwatch.store.runs import abandon_stale_job_runs, finish_job_run, start_job_run
from litwatch.store.subscribers import list_subscribers
from litwatch.store.tables import Subscriber

log = logging.getLogger(__name__)


def render_settings(ctx: Context) -> RenderSettings:
    """What rendering a digest takes, from the context: its one Jinja environment included."""
    return RenderSettings(
        env=ctx.templates,
        links=DigestLinks(base_url=ctx.settings.base_url, secret=ctx.secret_key),
        timezone=ctx.settings.timezone,
        kb_statements={f.id: f.statement for f in ctx.knowledge_base.findings},
        measures=measures_of(ctx.knowledge_base),
        first_digest_max=ctx.settings.first_digest_max,
    )


def due_subscribers(ctx: Context, session: Session, *, force: bool = False) -> list[Subscriber]:
    """The active subscribers whose digest is due now (all of them with ``force``)."""
    now = ctx.now()
    slots = _slots(ctx)
    subs = []
    for sub in list_subscribers(session, active_only=True):
        if force or digest_due(sub.frequency, sub.last_digest_at, sub.created_at, now, **slots):  # type: ignore[arg-type]
            subs.append(sub)
    return subs


def _slots(ctx: Context) -> dict[str, str]:
    """When digests go out, as the settings say: ``digest_due``'s and ``next_digest_at``'s
    keyword arguments."""
    s = ctx.settings
    return {"at": s.digest_time, "weekday": s.digest_weekday, "tz": s.timezone}


@dataclass(frozen=True)
class NextDigest:
    email: str
    frequency: str
    due_at: datetime


def next_digests(ctx: Context, only_email: str | None = None) -> list[NextDigest]:
    """When each active subscriber's next digest is due (``now`` for one due already)."""
    now = ctx.now()
    slots = _slots(ctx)
    with Session(ctx.engine) as session:
        subs = list_subscribers(session, active_only=True)
    return [
        NextDigest(
            sub.email,
            sub.frequency,
            next_digest_at(sub.frequency, sub.last_digest_at, sub.created_at, now, **slots),  # type: ignore[arg-type]
        )
        for sub in subs
        if only_email in (None, sub.email)
    ]


def release_dead_claims(session: Session) -> int:
    """Give back the digests claimed by processes of this host that died mid-send (SIGKILL,
    power cut), so they go out now rather than when the claim goes stale (an hour). The
    message a dead sender had in flight may have reached the server: it is sent again, with
    the same Message-ID."""
    released = 0
    for digest_id, worker in claims(session):
        if gone_from_this_host(worker) and release_claim(session, digest_id, worker=worker):
            log.warning(
                "digest %s: its sender (%s) is gone; it will be sent again", digest_id, worker
            )
            released += 1
    session.commit()
    return released


def deliver_pending(
    ctx: Context, *, mailer: Mailer | None = None, only_email: str | None = None
) -> DeliveryResult:
    """Send every digest that is due (all subscribers, or only ``only_email``)."""
    own_mailer = mailer is None
    mailer = mailer or make_mailer(ctx.settings.smtp_url, ctx.settings.outbox_dir)
    try:
        with Session(ctx.engine) as session:
            release_dead_claims(session)
            only = None
            if only_email:
                sub = get_subscriber(session, only_email)
                only = sub.id if sub else -1
            return delivery.deliver_pending(
                session,
                mailer,
                sender=ctx.settings.mail_from,
                rendering=render_settings(ctx),
                clock=ctx.now,
                worker=holder_id(),
                only_subscriber=only,
            )
    finally:
        if own_mailer:
            mailer.close()


def run_digests(
    ctx: Context,
    *,
    only_email: str | None = None,
    force: bool = False,
    mailer: Mailer | None = None,
) -> DeliveryResult:
    """Record the digests that are due, then send everything pending. One run at a time."""
    with job_lock(ctx.engine, "digests", clock=ctx.now) as lease:
        if not lease:
            who = lease.held_by()
            log.info("digest run skipped: another digest run holds the lock (%s)", who)
            return DeliveryResult(skipped=f"another digest run holds the lock: {who}")
        with Session(ctx.engine) as session:
            abandon_stale_job_runs(session, "digests", now=ctx.now(), why=lease.took_over)
            run_id = start_job_run(session, "digests", started=ctx.now()).id
            session.commit()
        try:
            result = _run_locked(ctx, only_email=only_email, force=force, mailer=mailer)
        except Exception as exc:  # recorded in the run, then re-raised for the caller to see
            crash = DeliveryResult(errors=[f"{type(exc).__name__}: {exc}"])
            _finish_run(ctx, run_id, crash, status="failed")
            raise
        _finish_run(ctx, run_id, result)
    return result


def _run_locked(
    ctx: Context, *, only_email: str | None, force: bool, mailer: Mailer | None
) -> DeliveryResult:
    with Session(ctx.engine) as session:
        subs = due_subscribers(ctx, session, force=force)
        if only_email:
            wanted = get_subscriber(session, only_email)
            subs = [s for s in subs if wanted is not None and s.id == wanted.id]
        made = make_due_digests(
            session,
            subs,
            now=ctx.now(),
            rendering=render_settings(ctx),
            message_id_domain=message_id_domain(ctx.settings.mail_from),
        )
    result = deliver_pending(ctx, mailer=mailer, only_email=only_email)
    result.created = len(made)
    return result


def _finish_run(ctx: Context, run_id: int | None, result: DeliveryResult, status: str = "") -> None:
    with Session(ctx.engine) as session:
        finish_job_run(
            session,
            run_id,  # type: ignore[arg-type]
            finished_at=ctx.now(),
            status=status or ("ok" if not result.failed and not result.retry else "errors"),
            counts={
                "created": result.created,
                "sent": result.sent,
                "retry": result.retry,
                "failed": result.failed,
            },
            error="; ".join(result.errors),
        )
        session.commit()


def preview(ctx: Context, email: str, *, force: bool = True) -> EmailMessage | None:
    """The digest ``email`` would get now, rendered but not recorded (None: nothing to send).

    With ``force`` an empty digest is shown rather than nothing."""
    with Session(ctx.engine) as session:
        sub = get_subscriber(session, email)
        if sub is None:
            raise StoreError(f"{email} is not a subscriber")
        to, now = sub.email, ctx.now()
        composed = compose_digest(
            session, sub, now=now, rendering=render_settings(ctx), send_empty=force
        )
    if composed is None:
        return None
    domain = message_id_domain(ctx.settings.mail_from)
    return build_message(
        composed.rendered,
        sender=ctx.settings.mail_from,
        to=to,
        message_id=f"<litwatch-digest-preview-{int(now.timestamp())}@{domain}>",
        now=now,
    )
