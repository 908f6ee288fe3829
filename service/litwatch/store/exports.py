"""What an export reads: each stored article, its classification and the searches that found it.

Every function takes a ``Session``; the caller decides when to commit.
"""

from __future__ import annotations

from collections.abc import Iterable, Iterator, Sequence
from datetime import datetime

from sqlmodel import Session, col, select

from litwatch.store.articles import CHUNK, iter_articles
from litwatch.store.searches import get_search, search_names_of
from litwatch.store.tables import Article, ClassificationRow, SearchHit


def _articles_in_order(session: Session, pmids: Sequence[str]) -> Iterable[Article]:
    """The stored ones of ``pmids``, each once, in the order given, a chunk at a time."""
    wanted = list(dict.fromkeys(pmids))
    for start in range(0, len(wanted), CHUNK):
        chunk = wanted[start : start + CHUNK]
        found = {
            a.pmid: a for a in session.exec(select(Article).where(col(Article.pmid).in_(chunk)))
        }
        yield from (found[p] for p in chunk if p in found)


def iter_export_articles(
    session: Session, search_name: str | None = None, pmids: Sequence[str] | None = None
) -> Iterator[tuple[Article, ClassificationRow | None, list[str]]]:
    """Each stored article (of one search, in PMID order; or of ``pmids``, in their order):
    row, classification row, searches."""
    articles = (
        _articles_in_order(session, pmids)
        if pmids is not None
        else iter_articles(session, search_name=search_name)
    )
    for article in articles:
        c_row = session.exec(
            select(ClassificationRow).where(ClassificationRow.pmid == article.pmid)
        ).first()
        yield article, c_row, search_names_of(session, article.pmid)


def feed_articles(
    session: Session, search_name: str, relevances: Sequence[str], limit: int
) -> list[tuple[Article, ClassificationRow, datetime]]:
    """A search's articles judged one of ``relevances``, newest found first (at most
    ``limit``): row, classification row, when the search first found it."""
    search_id = get_search(session, search_name).id
    stmt = (
        select(Article, ClassificationRow, SearchHit.first_seen)
        .join(SearchHit, col(SearchHit.pmid) == col(Article.pmid))
        .join(ClassificationRow, col(ClassificationRow.pmid) == col(Article.pmid))
        .where(SearchHit.search_id == search_id)
        .where(col(ClassificationRow.relevance).in_(list(relevances)))
        .where(col(Article.deleted).is_(False))
        .order_by(col(SearchHit.first_seen).desc(), col(Article.pmid).desc())
        .limit(limit)
    )
    return [(a, c, seen) for a, c, seen in session.exec(stmt).all() if seen is not None]
