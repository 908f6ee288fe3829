"""CSV: one row per article, lists joined by "; ", for spreadsheets."""

from __future__ import annotations

import csv
from collections.abc import Iterable
from typing import TextIO

from litwatch.export.fields import iso, plain_abstract, plain_list, pubmed_url, stances
from litwatch.export.rows import ExportRow
from litwatch.pubmed.markup import to_plain

COLUMNS = (
    "pmid", "doi", "pmcid", "title", "authors", "journal", "year", "pub_date",
    "publication_types", "mesh", "keywords", "registry_ids", "retracted", "relevance",
    "relevance_score", "design", "priority", "findings", "explanation", "flags", "searches",
    "first_seen", "pubmed_url", "abstract",
)  # fmt: skip


def _csv_row(row: ExportRow) -> dict[str, str]:
    article, c = row.article, row.classification
    return {
        "pmid": article.pmid,
        "doi": article.doi,
        "pmcid": article.pmcid,
        "title": to_plain(article.title),
        "authors": "; ".join(plain_list(a.display for a in article.authors)),
        "journal": to_plain(article.journal_title),
        "year": str(article.pub_year or ""),
        "pub_date": article.pub_date.isoformat() if article.pub_date else "",
        "publication_types": "; ".join(plain_list(article.publication_types)),
        "mesh": "; ".join(plain_list(m.descriptor for m in article.mesh)),
        "keywords": "; ".join(plain_list(article.keywords)),
        "registry_ids": "; ".join(article.registry_ids),
        "retracted": "true" if article.retracted else "false",
        "relevance": c.relevance if c else "",
        "relevance_score": str(c.relevance_score) if c else "",
        "design": c.design if c else "",
        "priority": str(c.priority) if c else "",
        "findings": stances(c),
        "explanation": c.explanation if c else "",
        "flags": "; ".join(c.flags) if c else "",
        "searches": "; ".join(row.searches),
        "first_seen": iso(row.first_seen) or "",
        "pubmed_url": pubmed_url(article.pmid),
        "abstract": plain_abstract(article),
    }


def write(rows: Iterable[ExportRow], out: TextIO) -> int:
    """Open ``out`` with ``newline=""``."""
    writer = csv.DictWriter(out, fieldnames=COLUMNS)
    writer.writeheader()
    count = 0
    for row in rows:
        writer.writerow(_csv_row(row))
        count += 1
    return count
