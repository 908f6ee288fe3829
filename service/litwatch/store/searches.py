"""Saved searches and the history of their queries.

Every function takes a ``Session``; the caller decides when to commit.
"""

from __future__ import annotations

from datetime import date, datetime

from sqlalchemy import func, update
from sqlmodel import Session, col, select

from litwatch.errors import StoreError
from litwatch.eutils.query_check import check_query, check_search_name
from litwatch.store.tables import (
    PollRun,
    QuarantinedRecord,
    SavedSearch,
    SearchHit,
    SearchQueryVersion,
)


def get_search(session: Session, name: str) -> SavedSearch:
    search = session.exec(select(SavedSearch).where(SavedSearch.name == name)).first()
    if search is None:
        raise StoreError(f"no saved search named {name!r} (see `litwatch searches list`)")
    return search


def find_search(session: Session, name: str) -> SavedSearch | None:
    return session.exec(select(SavedSearch).where(SavedSearch.name == name)).first()


def list_searches(session: Session) -> list[SavedSearch]:
    return list(session.exec(select(SavedSearch).order_by(col(SavedSearch.name))))


def add_search(
    session: Session,
    name: str,
    query: str,
    *,
    now: datetime,
    schedule: str | None = None,
    backfill_start: date | None = None,
    description: str = "",
) -> SavedSearch:
    """Create a saved search; QueryError if the name or query is malformed, StoreError if taken."""
    check_search_name(name)
    query = check_query(query)
    if find_search(session, name):
        raise StoreError(f"a saved search named {name!r} already exists")
    search = SavedSearch(
        name=name,
        query=query,
        schedule=schedule,
        backfill_start=backfill_start,
        description=description,
        created_at=now,
    )
    session.add(search)
    session.flush()
    session.add(SearchQueryVersion(search_id=search.id, query=query, created_at=now))
    return search


def set_search_query(session: Session, search: SavedSearch, query: str, *, now: datetime) -> None:
    """Change a search's query (QueryError if malformed), keeping the old one in its history."""
    query = check_query(query)
    if query != search.query:
        search.query = query
        session.add(search)
        session.add(SearchQueryVersion(search_id=search.id, query=query, created_at=now))


def set_search_schedule(session: Session, search: SavedSearch, schedule: str | None) -> None:
    """Give a search its own schedule, or None: the default one."""
    search.schedule = schedule
    session.add(search)


def set_search_enabled(session: Session, search: SavedSearch, enabled: bool) -> None:
    """Turn a search's polling on or off (a disabled search keeps everything it found)."""
    search.enabled = enabled
    session.add(search)


def current_query_version(session: Session, search: SavedSearch) -> SearchQueryVersion | None:
    return session.exec(
        select(SearchQueryVersion)
        .where(SearchQueryVersion.search_id == search.id)
        .order_by(col(SearchQueryVersion.id).desc())
    ).first()


def remove_search(session: Session, name: str) -> None:
    """Delete a saved search, its hits and its quarantine; its runs and query history stay,
    under its name.

    The articles stay too. The name is free again: a new search of that name starts afresh.
    """
    search = get_search(session, name)
    for model in (QuarantinedRecord, SearchHit):
        for row in session.exec(select(model).where(model.search_id == search.id)):
            session.delete(row)
    for model in (PollRun, SearchQueryVersion):
        session.execute(
            update(model).where(col(model.search_id) == search.id).values(search_id=None)
        )
    session.flush()
    session.delete(search)


def advance_watermark(
    session: Session, search: SavedSearch, window: tuple[date, date], *, now: datetime
) -> None:
    """After a successful poll of ``window``: move the watermark and note the success."""
    if session.get(SavedSearch, search.id) is None:
        return  # removed while it was polled: nothing to advance (and nothing to re-create)
    search = session.merge(search)
    # Only a window that joins on to what is covered moves the watermark (a poll of an old
    # window with --since/--until leaves it alone).
    if search.watermark is None or window[0] <= search.watermark:
        search.watermark = max(search.watermark or window[1], window[1])
    search.last_success_at = now
    session.add(search)


def search_article_count(session: Session, search_id: int) -> int:
    return session.exec(
        select(func.count()).select_from(SearchHit).where(SearchHit.search_id == search_id)
    ).one()


def search_names_of(session: Session, pmid: str) -> list[str]:
    """The names of the saved searches that found this article, in name order."""
    return list(
        session.exec(
            select(SavedSearch.name)
            .join(SearchHit, col(SearchHit.search_id) == col(SavedSearch.id))
            .where(SearchHit.pmid == pmid)
            .order_by(col(SavedSearch.name))
        ).all()
    )
