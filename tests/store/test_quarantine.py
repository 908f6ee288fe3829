"""The quarantine of unreadable records, on SQLite and PostgreSQL."""

from __future__ import annotations

from datetime import UTC, datetime, timedelta

from sqlmodel import Session, select

from litwatch.store.engine import make_engine
from litwatch.store.quarantine import (
    _new_row,
    quarantine,
    quarantine_listing,
    quarantined_pmids,
    release,
)
from litwatch.store.searches import add_search
from litwatch.store.tables import QuarantinedRecord

NOW = datetime(2026, 11, 25, 10, 0, tzinfo=UTC)


def test_quarantine_counts_attempts_and_releases(migrated_db_url: str) -> None:
    engine = make_engine(migrated_db_url)
    try:
        with Session(engine) as s:
            search = add_search(s, "topic", "x", now=NOW)
            s.commit()
            assert (
                quarantine(
                    s, search.id, {"1": "bad", "": "no pmid", "2": "worse"}, run_id=None, now=NOW
                )
                == 2
            )
            s.commit()
            later = NOW + timedelta(hours=6)
            assert quarantine(s, search.id, {"1": "still bad"}, run_id=7, now=later) == 1
            s.commit()
            assert quarantined_pmids(s, search.id) == ["1", "2"]
            [(first, name), (second, _)] = quarantine_listing(s)
            assert (first.pmid, first.attempts, first.error, first.poll_run_id) == (
                "1",
                2,
                "still bad",
                7,
            )
            assert (
                first.first_failed_at == NOW and first.last_failed_at == later and name == "topic"
            )
            assert second.attempts == 1
            # A row another instance added meanwhile is taken over, not duplicated.
            row = _new_row(s, "2", search.id, later)
            assert row.id == second.id
            s.commit()
            assert release(s, ["2", "3", ""]) == 1
            s.commit()
            assert [r.pmid for r in s.exec(select(QuarantinedRecord))] == ["1"]
    finally:
        engine.dispose()
