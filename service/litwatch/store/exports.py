"""What an export reads: each stored article, its classification and the searches that found it.

Every function takes a ``Session``; the caller decides when to commit.
"""

from __future__ import annotations

from collections.abc import Iterator

from sqlmodel import Session, select

from litwatch.store.articles import iter_articles
from litwatch.store.searches import search_names_of
from litwatch.store.tables import Article, ClassificationRow


def iter_export_articles(
    session: Session, search_name: str | None = None
) -> Iterator[tuple[Article, ClassificationRow | None, list[str]]]:
    """Each stored article (of one search), in PMID order: row, classification row, searches."""
    for article in iter_articles(session, search_name=search_name):
        c_row = session.exec(
            select(ClassificationRow).where(ClassificationRow.pmid == article.pmid)
        ).first()
        yield article, c_row, search_names_of(session, article.pmid)
