"""Sending recorded digests: claim one, wrap its stored message, hand it to the mailer, mark it.

A digest is claimed through ``litwatch.store.digests`` (a compare-and-set UPDATE, so two
workers never send it twice). A temporary failure puts it back with a later
``next_attempt_at``; a permanent one, or too many tries, marks it failed with the server's
answer. Every try sends the same message: the parts and the Message-ID stored when the digest
was recorded, dated when it was recorded.
"""

from __future__ import annotations

import logging
from collections.abc import Callable
from dataclasses import dataclass, field, replace
from datetime import datetime, timedelta
from email.message import EmailMessage

from sqlmodel import Session

from litwatch.digests.mailer import Mailer
from litwatch.digests.message import build_message
from litwatch.digests.queue import LISTED, recipient_of, recorded_candidates
from litwatch.digests.rendering import RenderSettings, render_with
from litwatch.digests.selection import Candidate, build_digest
from litwatch.errors import DeliveryError, StoreError
from litwatch.store import digests as store
from litwatch.store.subscribers import get_subscriber_by_id
from litwatch.store.tables import Digest

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
    skipped: str = ""  # why the run did not happen (another run holds the lock: who)

    @property
    def attempted(self) -> int:
        return self.sent + self.retry + self.failed

    def line(self) -> str:
        if self.skipped:
            return f"skipped: {self.skipped}"
        return (
            f"{self.created} digest(s) made, {self.sent} sent, {self.retry} to retry, "
            f"{self.failed} failed"
        )


@dataclass(frozen=True)
class StoredMessage:
    """The parts kept with a recorded digest."""

    subject: str
    text: str
    html: str
    unsubscribe_url: str


def recorded_held(session: Session, digest_id: int) -> list[Candidate]:
    """The articles a recorded first digest left out and links to on the web."""
    rows = store.digest_item_kinds(session, digest_id)
    listed = store.classified_articles(session, [pmid for pmid, kind in rows if kind == LISTED])
    return [Candidate(record, classification) for record, classification in listed.values()]


def retracted_since_recorded(session: Session, digest: Digest) -> list[str]:
    """Articles of a recorded digest retracted since, their retraction not yet announced to
    the subscriber: the digest should show them retracted rather than go out as it was."""
    assert digest.id is not None
    new = [pmid for pmid, kind in store.digest_item_kinds(session, digest.id) if kind == "new"]
    announced = store.sent_pmids(session, digest.subscriber_id).get("retraction", set())
    articles = store.classified_articles(session, [p for p in new if p not in announced])
    return sorted(pmid for pmid, (record, _) in articles.items() if record.retracted)


def _render_recorded(session: Session, digest: Digest, rendering: RenderSettings) -> None:
    """Render a digest recorded without its message (by an older version), from its items,
    and keep the result, so its later tries send the same message."""
    sub = get_subscriber_by_id(session, digest.subscriber_id)
    if sub is None:
        raise StoreError(f"digest {digest.id}: its subscriber is gone")
    assert digest.id is not None and digest.period_end is not None
    content = build_digest(
        # Recorded means it goes out, even empty, even if send_empty was switched off since.
        replace(recipient_of(sub), send_empty=True),
        recorded_candidates(session, digest.id),
        period_start=digest.period_start or digest.period_end,
        period_end=digest.period_end,
        kb_statements=rendering.kb_statements,
        held=recorded_held(session, digest.id),
    )
    assert content is not None
    rendered = render_with(rendering, content, now=digest.period_end)
    store.keep_message(
        session,
        digest,
        message_id=digest.message_id,
        subject=rendered.subject,
        text=rendered.text,
        html=rendered.html,
        unsubscribe_url=rendered.unsubscribe_url,
    )
    session.commit()


def message_of(
    session: Session, digest: Digest, *, sender: str, rendering: RenderSettings
) -> EmailMessage:
    """The email of a recorded digest: its stored parts and Message-ID, wrapped.

    Before its first try, a digest holding an article retracted since it was recorded is
    rendered again, the article shown retracted and the retraction recorded as announced,
    so the article never goes out as evidence with its retraction in a second message."""
    if digest.body_html is None or digest.body_text is None:
        _render_recorded(session, digest, rendering)
    elif digest.attempts == 0 and (retracted := retracted_since_recorded(session, digest)):
        store.add_digest_items(session, digest, [(pmid, "retraction") for pmid in retracted])
        _render_recorded(session, digest, rendering)
    sub = get_subscriber_by_id(session, digest.subscriber_id)
    assert sub is not None and digest.created_at is not None
    parts = StoredMessage(
        subject=digest.subject,
        text=digest.body_text or "",
        html=digest.body_html or "",
        unsubscribe_url=digest.unsubscribe_url or "",
    )
    return build_message(
        parts, sender=sender, to=sub.email, message_id=digest.message_id, now=digest.created_at
    )


def claim_next(
    session: Session, *, now: datetime, worker: str, only_subscriber: int | None = None
) -> Digest | None:
    """Take the next digest due for sending, or None. The UPDATE decides who has it."""
    # A claim left by a worker that died is given back after a while.
    store.release_stale_claims(session, claimed_before=now - STALE_CLAIM)
    session.commit()
    digest_id = store.next_due_digest(session, now=now, subscriber_id=only_subscriber)
    if digest_id is None:
        session.rollback()
        return None
    taken = store.take_digest(session, digest_id, worker=worker, now=now)
    session.commit()
    return store.get_digest(session, digest_id) if taken else None


def deliver_pending(
    session: Session,
    mailer: Mailer,
    *,
    sender: str,
    rendering: RenderSettings,
    clock: Callable[[], datetime],
    worker: str,
    only_subscriber: int | None = None,
) -> DeliveryResult:
    """Send every digest that is due; each one claimed first, then marked sent or failed."""
    result = DeliveryResult()
    while (
        digest := claim_next(session, now=clock(), worker=worker, only_subscriber=only_subscriber)
    ) is not None:
        _send_one(session, digest, mailer, result, sender=sender, rendering=rendering, clock=clock)
    return result


def _send_one(
    session: Session,
    digest: Digest,
    mailer: Mailer,
    result: DeliveryResult,
    *,
    sender: str,
    rendering: RenderSettings,
    clock: Callable[[], datetime],
) -> None:
    assert digest.id is not None
    digest_id, attempts = digest.id, digest.attempts + 1
    try:
        msg = message_of(session, digest, sender=sender, rendering=rendering)
        where = mailer.send(msg)
    except DeliveryError as exc:
        final = exc.permanent or attempts >= MAX_ATTEMPTS
        retry_at = None if final else clock() + retry_delay(attempts)
        store.mark_not_sent(
            session, digest_id, attempts=attempts, error=str(exc), retry_at=retry_at
        )
        session.commit()
        if final:
            result.failed += 1
            log.error("digest %s failed for good: %s", digest_id, exc)
        else:
            result.retry += 1
            log.warning("digest %s will be retried: %s", digest_id, exc)
        result.errors.append(str(exc))
        return
    except Exception as exc:
        # Rendering trouble is ours, not the server's: keep the digest and say why.
        session.rollback()
        error = f"{type(exc).__name__}: {exc}"
        store.mark_not_sent(
            session,
            digest_id,
            attempts=attempts,
            error=error,
            retry_at=clock() + retry_delay(attempts),
        )
        session.commit()
        result.retry += 1
        result.errors.append(error)
        log.exception("digest %s could not be rendered", digest_id)
        return
    store.mark_sent(
        session, digest_id, attempts=attempts, sent_at=clock(), outbox_path=str(where or "")
    )
    session.commit()
    result.sent += 1
    if where:
        result.outbox.append(str(where))
