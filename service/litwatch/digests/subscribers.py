"""Subscribers: who gets digests, of what, how often; addresses and choices checked here,
kept by ``litwatch.store.subscribers``."""

from __future__ import annotations

from datetime import datetime

from email_validator import EmailNotValidError, validate_email
from sqlmodel import Session

from litwatch.errors import ConfigError, StoreError
from litwatch.store import subscribers as store
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
    """The subscriber with this address, however it is written; ConfigError when invalid."""
    return store.find_subscriber(session, normalise_email(email))


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
    existing = store.find_subscriber(session, address)
    if existing is not None and existing.active:
        raise StoreError(f"{address} is already subscribed (remove it first to change it)")
    for name_ in searches or []:
        get_search(session, name_)
    unknown = sorted(set(findings or []) - (known_findings or set(findings or [])))
    if unknown:
        raise ConfigError(f"unknown finding id(s): {', '.join(unknown)}")
    return store.save_subscriber(
        session,
        address,
        now=now,
        name=name,
        searches=list(searches or []),
        frequency=frequency,
        min_relevance=min_relevance,
        findings=list(findings or []),
        send_empty=send_empty,
    )


def unsubscribe(session: Session, email: str, *, now: datetime) -> bool:
    """Stop digests for ``email`` (the row stays, so what was sent stays on record)."""
    sub = get_subscriber(session, email)
    if sub is None:
        raise StoreError(f"{email} is not a subscriber")
    if not sub.active:
        return False
    store.deactivate_subscriber(session, sub, now=now)
    return True
