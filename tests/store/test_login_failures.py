"""Failed logins per address: the wait grows, is shared through the database, is forgotten."""

from __future__ import annotations

from datetime import UTC, datetime, timedelta

from sqlmodel import Session

from litwatch.store.engine import make_engine
from litwatch.store.login_failures import (
    FREE_FAILURES,
    MAX_WAIT,
    clear_login_failures,
    login_wait,
    note_login_failure,
)

NOW = datetime(2026, 12, 3, 12, 0, tzinfo=UTC)


def test_the_wait_doubles_after_the_free_failures_up_to_a_cap(migrated_db_url: str) -> None:
    engine = make_engine(migrated_db_url)
    try:
        waits = []
        with Session(engine) as session:
            for _ in range(FREE_FAILURES + 14):
                waits.append(note_login_failure(session, "10.0.0.1", now=NOW).total_seconds())
            session.commit()
        assert waits[:FREE_FAILURES] == [0.0] * FREE_FAILURES
        assert waits[FREE_FAILURES : FREE_FAILURES + 4] == [2.0, 4.0, 8.0, 16.0]
        assert waits[-1] == MAX_WAIT.total_seconds()
        with Session(engine) as other:  # another instance's session sees the same wait
            assert login_wait(other, "10.0.0.1", now=NOW) == MAX_WAIT
            assert login_wait(other, "10.0.0.2", now=NOW) == timedelta(0)
            assert login_wait(other, "10.0.0.1", now=NOW + MAX_WAIT) == timedelta(0)
            clear_login_failures(other, "10.0.0.1")
            other.commit()
        with Session(engine) as session:
            assert login_wait(session, "10.0.0.1", now=NOW) == timedelta(0)
            assert note_login_failure(session, "10.0.0.1", now=NOW) == timedelta(0)
    finally:
        engine.dispose()


def test_failures_an_hour_old_are_forgotten(migrated_db_url: str) -> None:
    engine = make_engine(migrated_db_url)
    try:
        with Session(engine) as session:
            for _ in range(FREE_FAILURES + 2):
                note_login_failure(session, "::1", now=NOW)
            later = NOW + timedelta(hours=1, seconds=1)
            assert note_login_failure(session, "::1", now=later) == timedelta(0)
            session.commit()
    finally:
        engine.dispose()
