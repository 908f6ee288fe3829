"""Articles made from plain text: labelled examples and gold records, not PubMed records.

Record fields hold safe markup (see ``litwatch.pubmed.markup``), so plain text is escaped on
the way in, the same way the parser escapes a record's text.
"""

from __future__ import annotations

from litwatch.pubmed.markup import escape_text
from litwatch.records import AbstractSection, ArticleRecord, MeshHeading


def article_from_text(
    pmid: str,
    title: str,
    abstract: str,
    *,
    publication_types: list[str] | tuple[str, ...] = (),
    mesh: list[str] | tuple[str, ...] = (),
    keywords: list[str] | tuple[str, ...] = (),
) -> ArticleRecord:
    """An article made from plain text: one unlabelled abstract section."""
    return ArticleRecord(
        pmid=pmid,
        title=escape_text(title),
        abstract_sections=[AbstractSection("", "", escape_text(abstract))],
        publication_types=list(publication_types),
        mesh=[MeshHeading(descriptor=m) for m in mesh],
        keywords=list(keywords),
    )
