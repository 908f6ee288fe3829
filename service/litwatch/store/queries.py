"""Queries and upserts for articles, saved searches, hits and poll runs.

Every function takes a ``Session``; the caller decides when to commit.
"""

from __future__ import annotations

import hashlib
import json
from collections.abc import Iterable, Sequence
from dataclasses import dataclass
from datetime import date, datetime
from typing import Any

from sqlalchemy import func, or_, update
from sqlalchemy.dialects.postgresql import insert as pg_insert
from sqlalchemy.dialects.sqlite import insert as sqlite_insert
from sqlmodel import Session, col, select

from litwatch.errors import StoreError
from litwatch.pubmed.markup import to_plain
from litwatch.records import ArticleRecord
from litwatch.store.tables import Article, PollRun, SavedSearch, SearchHit, SearchQueryVersion

CHUNK = 500  # rows per IN (...) lookup: well under SQLite's variable limit


@dataclass
class UpsertResult:
    new: list[str]
    updated: list[str]
    unchanged: list[str]


def content_hash(record: ArticleRecord | dict[str, Any]) -> str:
    """A digest of everything parsed from a record, so a changed record is re-stored."""
    data = record.to_dict() if isinstance(record, ArticleRecord) else record
    payload = json.dumps(data, sort_keys=True, ensure_ascii=False)
    return hashlib.sha256(payload.encode()).hexdigest()


def _insert(session: Session, model: Any) -> Any:
    # On the table, not the mapped class: a Core insert skips the ORM's per-row bookkeeping.
    insert = pg_insert if session.get_bind().dialect.name == "postgresql" else sqlite_insert
    return insert(model.__table__)


def _chunks(items: Sequence[str], size: int = CHUNK) -> Iterable[Sequence[str]]:
    for i in range(0, len(items), size):
        yield items[i : i + size]


def stored_hashes(session: Session, pmids: Sequence[str]) -> dict[str, str]:
    """PMID -> content hash for those of ``pmids`` already stored."""
    found: dict[str, str] = {}
    for chunk in _chunks(list(pmids)):
        rows = session.exec(
            select(Article.pmid, Article.content_hash).where(col(Article.pmid).in_(chunk))
        )
        found.update({pmid: h for pmid, h in rows})
    return found


def stored_pmids(session: Session, pmids: Sequence[str]) -> set[str]:
    return set(stored_hashes(session, pmids))


def _article_values(
    record: ArticleRecord, data: dict[str, Any], digest: str, now: datetime
) -> dict[str, Any]:
    return {
        "pmid": record.pmid,
        "pmid_version": record.pmid_version,
        "doi": record.doi,
        "pmcid": record.pmcid,
        "title": record.title,
        "abstract": record.abstract,
        "journal": record.journal_iso or record.journal_title,
        "pub_year": record.pub_year,
        "pub_date": record.pub_date,
        "entrez_date": record.entrez_date,
        "create_date": record.create_date,
        "publication_types": record.publication_types,
        "data": data,
        "content_hash": digest,
        "retracted": record.retracted,
        "deleted": False,
        "first_seen": now,
        "updated_at": now,
        "fetched_at": now,
    }


def upsert_articles(
    session: Session, records: Sequence[ArticleRecord], *, now: datetime
) -> UpsertResult:
    """Insert new records, re-store changed ones, touch unchanged ones; never duplicate."""
    latest: dict[str, ArticleRecord] = {r.pmid: r for r in records}  # last version wins
    data = {pmid: r.to_dict() for pmid, r in latest.items()}
    hashes = {pmid: content_hash(d) for pmid, d in data.items()}
    existing = stored_hashes(session, list(latest))
    result = UpsertResult([], [], [])
    fresh = [pmid for pmid in latest if pmid not in existing]
    if fresh:
        # ON CONFLICT keeps a concurrent writer (another search) from making a duplicate.
        stmt = _insert(session, Article).on_conflict_do_nothing(index_elements=["pmid"])
        session.execute(stmt, [_article_values(latest[p], data[p], hashes[p], now) for p in fresh])
    result.new.extend(fresh)
    for pmid, record in latest.items():
        if pmid not in existing:
            continue
        values = _article_values(record, data[pmid], hashes[pmid], now)
        if existing[pmid] != hashes[pmid]:
            values.pop("first_seen")
            session.execute(update(Article).where(col(Article.pmid) == pmid).values(**values))
            result.updated.append(pmid)
        else:
            result.unchanged.append(pmid)
    if result.unchanged:
        for chunk in _chunks(result.unchanged):
            session.execute(
                update(Article).where(col(Article.pmid).in_(chunk)).values(fetched_at=now)
            )
    return result


def mark_deleted(session: Session, pmids: Sequence[str], *, now: datetime) -> int:
    """Flag PMIDs that PubMed deleted (DeleteCitation); returns how many were stored."""
    count = 0
    for chunk in _chunks(list(pmids)):
        res = session.execute(
            update(Article)
            .where(col(Article.pmid).in_(chunk), col(Article.deleted).is_(False))
            .values(deleted=True, updated_at=now)
        )
        count += res.rowcount or 0
    return count


def record_hits(session: Session, search_id: int, pmids: Sequence[str], *, now: datetime) -> int:
    """Note that a search found these (stored) articles; returns how many were first seen."""
    added = 0
    for chunk in _chunks(list(pmids)):
        rows = [{"search_id": search_id, "pmid": p, "first_seen": now} for p in chunk]
        if not rows:
            continue
        stmt = _insert(session, SearchHit).values(rows)
        stmt = stmt.on_conflict_do_nothing(index_elements=["search_id", "pmid"]).returning(
            SearchHit.pmid
        )
        added += len(session.execute(stmt).all())
    return added


def get_article(session: Session, pmid: str) -> Article | None:
    return session.exec(select(Article).where(Article.pmid == pmid)).first()


def article_record(row: Article) -> ArticleRecord:
    return ArticleRecord.from_dict(row.data)


def search_local(
    session: Session,
    text: str,
    *,
    since: date | None = None,
    limit: int = 20,
    search_name: str | None = None,
) -> list[Article]:
    """Stored articles whose title or abstract holds every word of ``text``, newest first."""
    stmt = select(Article).where(col(Article.deleted).is_(False))
    for word in text.split():
        pattern = f"%{word.lower()}%"
        stmt = stmt.where(
            or_(func.lower(Article.title).like(pattern), func.lower(Article.abstract).like(pattern))
        )
    if since:
        stmt = stmt.where(col(Article.create_date) >= since)
    if search_name:
        search = get_search(session, search_name)
        stmt = stmt.join(SearchHit, col(SearchHit.pmid) == col(Article.pmid)).where(
            SearchHit.search_id == search.id
        )
    stmt = stmt.order_by(col(Article.create_date).desc(), col(Article.pmid).desc()).limit(limit)
    return list(session.exec(stmt))


def iter_articles(
    session: Session, *, search_name: str | None = None, batch: int = 500
) -> Iterable[Article]:
    """Every stored article (of one search), in PMID order, a batch at a time."""
    last = ""
    search_id = get_search(session, search_name).id if search_name else None
    while True:
        stmt = select(Article).where(col(Article.pmid) > last)
        if search_id is not None:
            stmt = stmt.join(SearchHit, col(SearchHit.pmid) == col(Article.pmid)).where(
                SearchHit.search_id == search_id
            )
        rows = list(session.exec(stmt.order_by(col(Article.pmid)).limit(batch)))
        if not rows:
            return
        yield from rows
        last = rows[-1].pmid


def article_text(row: Article) -> str:
    """Plain text of title and abstract, for matching."""
    return to_plain(f"{row.title} {row.abstract}")


# --- saved searches ------------------------------------------------------------------


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
    """Create a saved search; StoreError if the name is taken."""
    if not name.strip() or not query.strip():
        raise StoreError("a saved search needs a name and a query")
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
    """Change a search's query, keeping the old one in its history."""
    if query != search.query:
        search.query = query
        session.add(search)
        session.add(SearchQueryVersion(search_id=search.id, query=query, created_at=now))


def current_query_version(session: Session, search: SavedSearch) -> SearchQueryVersion | None:
    return session.exec(
        select(SearchQueryVersion)
        .where(SearchQueryVersion.search_id == search.id)
        .order_by(col(SearchQueryVersion.id).desc())
    ).first()


def remove_search(session: Session, name: str) -> None:
    """Delete a saved search with its hits, runs and query history (articles stay)."""
    search = get_search(session, name)
    for model in (SearchHit, PollRun, SearchQueryVersion):
        for row in session.exec(select(model).where(model.search_id == search.id)):
            session.delete(row)
    session.flush()
    session.delete(search)


def search_article_count(session: Session, search_id: int) -> int:
    return session.exec(
        select(func.count()).select_from(SearchHit).where(SearchHit.search_id == search_id)
    ).one()


# --- poll runs -------------------------------------------------------------------------


def start_poll_run(
    session: Session, search: SavedSearch, *, now: datetime, window: tuple[date, date]
) -> PollRun:
    version = current_query_version(session, search)
    run = PollRun(
        search_id=search.id,
        query_version_id=version.id if version else None,
        started_at=now,
        window_start=window[0],
        window_end=window[1],
    )
    session.add(run)
    session.flush()
    return run


def abandon_stale_runs(session: Session, search_id: int, *, now: datetime) -> int:
    """Mark runs left 'running' by a process that died; they ended without finishing."""
    res = session.execute(
        update(PollRun)
        .where(col(PollRun.search_id) == search_id, col(PollRun.status) == "running")
        .values(status="abandoned", finished_at=now, error="the process stopped mid-run")
    )
    return res.rowcount or 0


def recent_poll_runs(session: Session, limit: int = 20) -> list[tuple[PollRun, str, str]]:
    """The latest poll runs with their search name and the query they ran."""
    stmt = (
        select(PollRun, SavedSearch.name, SearchQueryVersion.query)
        .join(SavedSearch, col(SavedSearch.id) == col(PollRun.search_id))
        .join(
            SearchQueryVersion,
            col(SearchQueryVersion.id) == col(PollRun.query_version_id),
            isouter=True,
        )
        .order_by(col(PollRun.started_at).desc(), col(PollRun.id).desc())
        .limit(limit)
    )
    return [(run, name, query or "") for run, name, query in session.exec(stmt)]
