"""Export rows: what every format writes, and reading them from the store."""

from __future__ import annotations

from collections.abc import Iterator, Sequence
from dataclasses import dataclass, field
from datetime import datetime

from sqlmodel import Session

from litwatch.records import ArticleRecord, Classification
from litwatch.store.articles import article_record
from litwatch.store.exports import iter_export_articles
from litwatch.store.notices import with_known_notices


@dataclass(slots=True)
class ExportRow:
    """One stored article with everything known about it."""

    article: ArticleRecord
    classification: Classification | None = None
    searches: list[str] = field(default_factory=list)
    first_seen: datetime | None = None


def iter_export_rows(
    session: Session, search_name: str | None = None, pmids: Sequence[str] | None = None
) -> Iterator[ExportRow]:
    """Every stored article (of one search, or of ``pmids`` in their order) with its
    classification and searches."""
    for article, c_row, searches in iter_export_articles(session, search_name, pmids):
        # With what stored notices say: a retraction known only from its notice is marked.
        [record] = with_known_notices(session, [article_record(article)])
        yield ExportRow(
            article=record,
            classification=Classification.from_dict(c_row.data) if c_row else None,
            searches=searches,
            first_seen=article.first_seen,
        )
