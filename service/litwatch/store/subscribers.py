"""Subscribers in the database: who gets digests, of what, how often.

Addresses arrive here already normalised (``litwatch.digests.subscribers`` checks them). Every
function takes a ``Session``; the caller commits.
"""

from __future__ import annotations

from collections.abc import Sequence
from datetime import datetime

from sqlmodel import Session, col, select

from litwatch.store.tables import Subscriber


def find_subscriber(session: Session, email: str) -> Subscriber | None:
    """The subscriber with exactly this (normalised) address, active or not."""
    return session.exec(select(Subscriber).where(Subscriber.email == email)).first()


def get_subscriber_by_id(session: Session, subscriber_id: int) -> Subscriber | None:
    return session.get(Subscriber, subscriber_id)


def list_subscribers(session: Session, *, active_only: bool = False) -> list[Subscriber]:
    """Every subscriber by address (only the active ones with ``active_only``)."""
    stmt = select(Subscriber).order_by(col(Subscriber.email))
    if active_only:
        stmt = stmt.where(col(Subscriber.active).is_(True))
    return list(session.exec(stmt))


def save_subscriber(
    session: Session,
    email: str,
    *,
    now: datetime,
    name: str,
    searches: Sequence[str],
    frequency: str,
    min_relevance: str,
    findings: Sequence[str],
    send_empty: bool,
) -> Subscriber:
    """Subscribe ``email`` afresh: a new row, or the row of an address that left, reused so
    what was sent to it stays on record. Flushed, so it has its id."""
    sub = find_subscriber(session, email) or Subscriber(email=email)
    sub.name = name
    sub.searches = list(searches)
    sub.frequency = frequency
    sub.min_relevance = min_relevance
    sub.findings = list(findings)
    sub.send_empty = send_empty
    sub.active = True
    sub.unsubscribed_at = None
    sub.created_at = now
    sub.last_digest_at = None
    session.add(sub)
    session.flush()
    return sub


def deactivate_subscriber(session: Session, sub: Subscriber, *, now: datetime) -> None:
    """Stop digests for ``sub``; the row stays."""
    sub.active = False
    sub.unsubscribed_at = now
    session.add(sub)


def set_last_digest(session: Session, sub: Subscriber, at: datetime) -> None:
    """Note the period end of the digest just made for ``sub``."""
    sub.last_digest_at = at
    session.add(sub)
