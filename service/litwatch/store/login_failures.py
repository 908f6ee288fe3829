"""Failed web logins per client address, and how long that address must wait.

The rule: the first ``FREE_FAILURES`` failures cost nothing; each one after that makes the
address wait twice as long as the last (2 s, 4 s, 8 s ... up to ``MAX_WAIT``). An address
that has not failed for ``FORGET_AFTER`` starts afresh, and a successful login clears it.
A guesser gets about a dozen tries in the first quarter of an hour and four an hour after,
while a person who mistypes twice never notices. The count is a row in the database, so
instances sharing it slow the same guesser down together.
"""

from __future__ import annotations

from datetime import datetime, timedelta

from sqlalchemy.exc import IntegrityError
from sqlmodel import Session

from litwatch.store.tables import LoginFailure

FREE_FAILURES = 3
MAX_WAIT = timedelta(minutes=15)
FORGET_AFTER = timedelta(hours=1)


def login_wait(session: Session, client: str, *, now: datetime) -> timedelta:
    """How long ``client`` must wait before its next login is checked (zero: it may try)."""
    row = session.get(LoginFailure, client[:100])
    if row is None or row.locked_until is None or row.locked_until <= now:
        return timedelta(0)
    return row.locked_until - now


def _wait_after(failures: int) -> timedelta:
    if failures <= FREE_FAILURES:
        return timedelta(0)
    return min(timedelta(seconds=2 ** (failures - FREE_FAILURES)), MAX_WAIT)


def note_login_failure(session: Session, client: str, *, now: datetime) -> timedelta:
    """Count a failed login from ``client``; the wait it now faces."""
    key = client[:100]
    row = session.get(LoginFailure, key)
    if row is None:
        row = LoginFailure(client=key, failures=0, first_failed_at=now, last_failed_at=now)
        try:
            with session.begin_nested():
                session.add(row)
        except IntegrityError:  # another instance counted this address's first failure
            row = session.get(LoginFailure, key, populate_existing=True)
            assert row is not None
    elif row.last_failed_at is not None and now - row.last_failed_at > FORGET_AFTER:
        row.failures, row.first_failed_at = 0, now
    row.failures += 1
    row.last_failed_at = now
    wait = _wait_after(row.failures)
    row.locked_until = now + wait if wait else None
    session.add(row)
    session.flush()
    return wait


def clear_login_failures(session: Session, client: str) -> None:
    """A successful login: the address starts afresh."""
    row = session.get(LoginFailure, client[:100])
    if row is not None:
        session.delete(row)
