"""Records that arrived but could not be read: kept with the error until a poll stores them.

One row per PMID. A poll puts each unreadable record here, fetches every quarantined PMID of
its search again on its next run, and the row goes once the record is stored (by any search)
or PubMed says it was deleted. Every function takes a ``Session``; the caller commits.
"""

from __future__ import annotations

from collections.abc import Iterable, Mapping
from datetime import datetime

from sqlalchemy import delete
from sqlalchemy.exc import IntegrityError
from sqlmodel import Session, col, select

from litwatch.store.tables import QuarantinedRecord, SavedSearch


def quarantine(
    session: Session,
    search_id: int,
    errors: Mapping[str, str],
    *,
    run_id: int | None,
    now: datetime,
) -> int:
    """Keep each PMID of ``errors`` (pmid -> error) in quarantine; returns how many."""
    pmids = [p for p in errors if p]
    if not pmids:
        return 0
    existing = {
        row.pmid: row
        for row in session.exec(
            select(QuarantinedRecord).where(col(QuarantinedRecord.pmid).in_(pmids))
        )
    }
    for pmid in pmids:
        row = existing.get(pmid) or _new_row(session, pmid, search_id, now)
        row.attempts += 1
        row.error = errors[pmid][:4000]
        row.last_failed_at = now
        row.poll_run_id = run_id
        session.add(row)
    session.flush()
    return len(pmids)


def _new_row(session: Session, pmid: str, search_id: int, now: datetime) -> QuarantinedRecord:
    """A fresh row, or the one another instance put there a moment ago (same PMID)."""
    row = QuarantinedRecord(
        pmid=pmid, search_id=search_id, first_failed_at=now, last_failed_at=now, attempts=0
    )
    try:
        with session.begin_nested():
            session.add(row)
    except IntegrityError:
        taken = session.exec(select(QuarantinedRecord).where(QuarantinedRecord.pmid == pmid))
        return taken.one()
    return row


def release(session: Session, pmids: Iterable[str]) -> int:
    """Take stored (or deleted) PMIDs out of quarantine; returns how many rows went."""
    wanted = [p for p in pmids if p]
    if not wanted:
        return 0
    res = session.execute(delete(QuarantinedRecord).where(col(QuarantinedRecord.pmid).in_(wanted)))
    return res.rowcount or 0


def quarantined_pmids(session: Session, search_id: int) -> list[str]:
    """The PMIDs a poll of this search should fetch again, oldest failure first."""
    stmt = (
        select(QuarantinedRecord.pmid)
        .where(QuarantinedRecord.search_id == search_id)
        .order_by(col(QuarantinedRecord.first_failed_at), col(QuarantinedRecord.pmid))
    )
    return list(session.exec(stmt).all())


def quarantine_listing(session: Session, limit: int = 50) -> list[tuple[QuarantinedRecord, str]]:
    """Quarantined records with the name of their search, latest failure first."""
    stmt = (
        select(QuarantinedRecord, SavedSearch.name)
        .join(SavedSearch, col(SavedSearch.id) == col(QuarantinedRecord.search_id))
        .order_by(col(QuarantinedRecord.last_failed_at).desc(), col(QuarantinedRecord.pmid))
        .limit(limit)
    )
    return [(row, name) for row, name in session.exec(stmt).all()]
