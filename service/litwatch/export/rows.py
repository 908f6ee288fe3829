"""Read stored articles as export rows (the formats themselves are in litwatch.export.formats)."""

from __future__ import annotations

from collections.abc import Iterator

from sqlmodel import Session, col, select

from litwatch.export.formats import ExportRow
from litwatch.records import Classification
from litwatch.store import queries as store
from litwatch.store.tables import ClassificationRow, SavedSearch, SearchHit


def iter_export_rows(session: Session, search_name: str | None = None) -> Iterator[ExportRow]:
    """Every stored article (of one search) with its classification and searches."""
    for article in store.iter_articles(session, search_name=search_name):
        c_row = session.exec(
            select(ClassificationRow).where(ClassificationRow.pmid == article.pmid)
        ).first()
        searches = session.exec(
            select(SavedSearch.name)
            .join(SearchHit, col(SearchHit.search_id) == col(SavedSearch.id))
            .where(SearchHit.pmid == article.pmid)
            .order_by(col(SavedSearch.name))
        ).all()
        yield ExportRow(
            article=store.article_record(article),
            classification=Classification.from_dict(c_row.data) if c_row else None,
            searches=list(searches),
            first_seen=article.first_seen,
        )
