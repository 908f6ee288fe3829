"""Saved collections: create one, add articles to it, list them.

Every function takes a ``Session``; the caller decides when to commit.
"""

from __future__ import annotations

from collections.abc import Sequence
from dataclasses import dataclass
from datetime import datetime

from sqlalchemy import func
from sqlmodel import Session, col, select

from litwatch.errors import StoreError
from litwatch.store.collection_tables import Collection, CollectionArticle


@dataclass(frozen=True)
class CollectionSummary:
    name: str
    created_at: datetime | None
    articles: int


def find_collection(session: Session, name: str) -> Collection | None:
    return session.exec(select(Collection).where(Collection.name == name)).first()


def get_collection(session: Session, name: str) -> Collection:
    """The collection named ``name``; StoreError when there is none."""
    found = find_collection(session, name)
    if found is None:
        raise StoreError(f"no collection named {name!r}")
    return found


def ensure_collection(session: Session, name: str, *, now: datetime) -> Collection:
    """The collection named ``name``, created (and flushed) when it is new."""
    found = find_collection(session, name)
    if found is not None:
        return found
    made = Collection(name=name, created_at=now)
    session.add(made)
    session.flush()
    return made


def add_to_collection(
    session: Session, collection: Collection, pmids: Sequence[str], *, now: datetime
) -> int:
    """Add the stored articles ``pmids`` to ``collection``; returns how many were new to it."""
    assert collection.id is not None  # flushed by ensure_collection
    have = set(collection_pmids(session, collection.name))
    new = [p for p in dict.fromkeys(pmids) if p not in have]
    for pmid in new:
        session.add(CollectionArticle(collection_id=collection.id, pmid=pmid, added_at=now))
    session.flush()
    return len(new)


def collection_pmids(session: Session, name: str) -> list[str]:
    """The PMIDs of a collection, newest addition first (StoreError for an unknown name)."""
    collection = get_collection(session, name)
    stmt = (
        select(CollectionArticle.pmid)
        .where(CollectionArticle.collection_id == collection.id)
        .order_by(col(CollectionArticle.added_at).desc(), col(CollectionArticle.id))
    )
    return list(session.exec(stmt))


def list_collections(session: Session) -> list[CollectionSummary]:
    """Every collection with its article count, by name."""
    counts = dict(
        session.exec(
            select(CollectionArticle.collection_id, func.count()).group_by(
                col(CollectionArticle.collection_id)
            )
        ).all()
    )
    return [
        CollectionSummary(c.name, c.created_at, int(counts.get(c.id or 0, 0)))
        for c in session.exec(select(Collection).order_by(col(Collection.name)))
    ]
