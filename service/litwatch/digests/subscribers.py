"""Subscribers: who gets digests, of what, how often (queries over the store)."""

from __future__ import annotations

from datetime import datetime

from email_validator import EmailNotValidError, validate_email
from sqlmodel import Session, col, select

from litwatch.errors import ConfigError, StoreError
from litwatch.store.searches import get_search
from litwatch.store.tables import Subscriber

FREQUENCIES = ("daily", "weekly")
RELEVANCES = ("core", "related")


def normalise_email(address: str) -> str:
    """The address in canonical form; ConfigError when it is not a valid address."""
    try:
        # Mail systems treat the local part as case-insensitive in practice; so do we, so one
        # person cannot subscribe twice as Ada@ and ada@.
        return validate_email(address, check_deliverability=False).normalized.lower()
    except EmailNotValidError as exc:
        raise ConfigError(f"{address!r} is not a valid email address: {exc}") from None


def get_subscriber(session: Session, email: str) -> Subscriber | None:
    return session.exec(
        select(Subscriber).where(Subscriber.email == normalise_email(email))
    ).first()


def add_subscriber(
    session: Session,
    email: str,
    *,
    now: datetime,
    name: str = "",
    searches: list[str] | None = None,
    frequency: str = "daily",
    min_relevance: str = "core",
    findings: list[str] | None = None,
    known_findings: set[str] | None = None,
    send_empty: bool = False,
) -> Subscriber:
    """Add a subscriber; a duplicate address, an unknown search or finding is refused."""
    address = normalise_email(email)
    if frequency not in FREQUENCIES:
        raise ConfigError(f"--frequency must be one of {', '.join(FREQUENCIES)}")
    if min_relevance not in RELEVANCES:
        raise ConfigError(f"--min-relevance must be one of {', '.join(RELEVANCES)}")
    existing = get_subscriber(session, address)
    if existing is not None and existing.active:
        raise StoreError(f"{address} is already subscribed (remove it first to change it)")
    for name_ in searches or []:
        get_search(session, name_)
    unknown = sorted(set(findings or []) - (known_findings or set(findings or [])))
    if unknown:
        raise ConfigError(f"unknown finding id(s): {', '.join(unknown)}")
    sub = existing or Subscriber(email=address)
    sub.name = name
    sub.searches = list(searches or [])
    sub.frequency = frequency
    sub.min_relevance = min_relevance
    sub.findings = list(findings or [])
    sub.send_empty = send_empty
    sub.active = True
    sub.unsubscribed_at = None
    sub.created_at = now
    sub.last_digest_at = None
    session.add(sub)
    session.flush()
    return sub


def list_subscribers(session: Session, *, active_only: bool = False) -> list[Subscriber]:
    stmt = select(Subscriber).order_by(col(Subscriber.email))
    if active_only:
        stmt = stmt.where(col(Subscriber.active).is_(True))
    return list(session.exec(stmt))


def unsubscribe(session: Session, email: str, *, now: datetime) -> bool:
    """Stop digests for ``email`` (the row stays, so what was sent stays on record)."""
    sub = get_subscriber(session, email)
    if sub is None:
        raise StoreError(f"{email} is not a subscriber")
    if not sub.active:
        return False
    sub.active = False
    sub.unsubscribed_at = now
    session.add(sub)
    return True
