"""Stored articles: upserts, lookups, local search, iteration, and which search found which.

Every function takes a ``Session``; the caller decides when to commit.
"""

from __future__ import annotations

import hashlib
import json
from collections.abc import Iterable, Sequence
from dataclasses import dataclass, field
from datetime import datetime
from typing import Any

from sqlalchemy import text, update
from sqlalchemy.dialects.postgresql import insert as pg_insert
from sqlalchemy.dialects.sqlite import insert as sqlite_insert
from sqlmodel import Session, col, select

from litwatch.pubmed.markup import to_plain
from litwatch.records import ArticleRecord
from litwatch.store.notices import mark_retracted, save_notice_links
from litwatch.store.searches import get_search
from litwatch.store.tables import Article, ClassificationRow, SearchHit

FTS_FIELDS = ("title", "abstract", "journal")  # what the full-text index holds of an article
CHUNK = 500  # rows per IN (...) lookup: well under SQLite's variable limit
# Rows an INSERT ... RETURNING takes at once. SQLAlchemy runs such an executemany as INSERTs
# of many rows each, and each distinct number of rows is a statement of its own that the
# driver keeps prepared: batches of every size made one each, and a backfill's memory grew
# by 100 MB in 30,000 records. In pages of a fixed size there are at most PAGE of them.
PAGE = 50


@dataclass
class UpsertResult:
    new: list[str]
    updated: list[str]
    unchanged: list[str]
    # Stored articles at the other end of a notice link these records made: judge them again.
    linked: set[str] = field(default_factory=set)


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


def _many(session: Session, stmt: Any, rows: list[dict[str, Any]]) -> list[Any]:
    """Run an INSERT ... RETURNING for every row of ``rows``; what it returned."""
    options = {"insertmanyvalues_page_size": PAGE}
    return list(session.execute(stmt, rows, execution_options=options).all())


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


# What migration 0015 took from a trigger: a new article's text added to SQLite's FTS5 index.
_SQLITE_INDEX = text(
    "INSERT INTO article_fts(rowid, title, abstract, journal) "
    "VALUES (:id, :title, :abstract, :journal)"
)


def _index_new(session: Session, rows: Sequence[dict[str, Any]]) -> None:
    """Add newly inserted, not deleted articles (``id``, ``title``, ``abstract``,
    ``journal``) to SQLite's full-text index, in one statement run for them all.

    The insert trigger did this a row at a time, at three times the cost (a trigger's every
    row opens a statement journal), and the index was a third of what storing a batch cost.
    Changes and deletions keep their triggers: they are rare. PostgreSQL's index is a
    generated column: nothing to do there."""
    if rows and session.get_bind().dialect.name == "sqlite":
        session.execute(_SQLITE_INDEX, list(rows))


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
        # ON CONFLICT keeps a concurrent writer (another search) from making a duplicate; the
        # rows this statement inserted (not those another writer did) come back to be indexed.
        values = [_article_values(latest[p], data[p], hashes[p], now) for p in fresh]
        stmt = _insert(session, Article).on_conflict_do_nothing(index_elements=["pmid"])
        stmt = stmt.returning(col(Article.id), col(Article.pmid))
        inserted = _many(session, stmt, values)
        by_pmid = {v["pmid"]: v for v in values}
        _index_new(
            session,
            [{"id": i, **{k: by_pmid[p][k] for k in FTS_FIELDS}} for i, p in inserted],
        )
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
    changed = [latest[p] for p in (*result.new, *result.updated)]
    result.linked = save_notice_links(session, changed, now=now)
    # A re-stored record says only what its own XML says; a stored notice may say more.
    mark_retracted(session, [r.pmid for r in changed], now=now)
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
    rows = [{"search_id": search_id, "pmid": p, "first_seen": now} for p in dict.fromkeys(pmids)]
    if not rows:
        return 0
    # One statement run for every row (executemany, its RETURNING gathered by SQLAlchemy): a
    # VALUES list of hundreds of rows would be compiled anew for each batch.
    stmt = _insert(session, SearchHit).on_conflict_do_nothing(index_elements=["search_id", "pmid"])
    return len(_many(session, stmt.returning(SearchHit.pmid), rows))


def get_article(session: Session, pmid: str) -> Article | None:
    return session.exec(select(Article).where(Article.pmid == pmid)).first()


def article_record(row: Article) -> ArticleRecord:
    return ArticleRecord.from_dict(row.data)


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


def judged_articles(
    session: Session, pmids: Sequence[str]
) -> list[tuple[Article, ClassificationRow | None]]:
    """The stored ones of ``pmids`` (each once, in the order given) with their classification."""
    if not pmids:
        return []
    wanted = list(pmids)
    articles = {
        a.pmid: a for a in session.exec(select(Article).where(col(Article.pmid).in_(wanted)))
    }
    judged = {
        c.pmid: c
        for c in session.exec(
            select(ClassificationRow).where(col(ClassificationRow.pmid).in_(wanted))
        )
    }
    return [(articles[p], judged.get(p)) for p in dict.fromkeys(wanted) if p in articles]


def all_pmids(session: Session) -> list[str]:
    """Every stored PMID, in order."""
    return list(session.exec(select(Article.pmid).order_by(col(Article.pmid))))


def unclassified_pmids(session: Session) -> list[str]:
    """The stored PMIDs that have no classification yet."""
    judged = select(ClassificationRow.pmid)
    return list(session.exec(select(Article.pmid).where(col(Article.pmid).not_in(judged))))
