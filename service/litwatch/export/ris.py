"""RIS, as Zotero, EndNote and Mendeley read it: one tagged record per article."""

from __future__ import annotations

from collections.abc import Iterable
from typing import TextIO

from litwatch.export.fields import (
    date_parts,
    name_parts,
    one_line,
    plain_abstract,
    pubmed_url,
    split_pages,
    stances,
    subject_terms,
)
from litwatch.export.rows import ExportRow
from litwatch.pubmed.markup import to_plain
from litwatch.records import ArticleRecord


def _ris_date(article: ArticleRecord) -> str:
    year, month, day = date_parts(article)
    if year is None:
        return ""
    other = "" if month else one_line(to_plain(article.pub_date_text))
    if other == str(year):
        other = ""
    return f"{year:04d}/{f'{month:02d}' if month else ''}/{f'{day:02d}' if day else ''}/{other}"


def _ris_note(row: ExportRow) -> str:
    parts = ["RETRACTED."] if row.article.retracted else []
    c = row.classification
    if c is not None:
        if c.explanation:
            parts.append(c.explanation)
        parts.append(f"Relevance: {c.relevance}; design: {c.design}.")
        if c.findings:
            parts.append(f"Findings: {stances(c)}.")
    return one_line(" ".join(parts))


def _ris_lines(row: ExportRow) -> Iterable[tuple[str, str]]:
    article = row.article
    journal = to_plain(article.journal_title)
    start, end = split_pages(to_plain(article.pages))
    yield "TY", "JOUR"
    yield "TI", to_plain(article.title)
    for author in article.authors:
        family, given = name_parts(author)
        yield "AU", f"{family}, {given}" if given else family
    yield "PY", str(article.pub_year or "")
    yield "DA", _ris_date(article)
    # T2, not JO: Zotero reads JO as the abbreviation, which J2 already carries.
    yield "T2", journal
    yield "J2", to_plain(article.journal_iso)
    yield "SN", one_line(article.issn)
    yield "VL", to_plain(article.volume)
    yield "IS", to_plain(article.issue)
    yield "SP", start
    yield "EP", end
    yield "AB", plain_abstract(article, " ")
    for term in subject_terms(article):
        yield "KW", term
    yield "DO", one_line(article.doi)
    yield "AN", article.pmid
    yield "UR", pubmed_url(article.pmid)
    for language in article.languages:
        yield "LA", one_line(language)
    yield "N1", _ris_note(row)


def write(rows: Iterable[ExportRow], out: TextIO) -> int:
    count = 0
    for row in rows:
        for tag, value in _ris_lines(row):
            if value:
                out.write(f"{tag}  - {value}\n")
        out.write("ER  - \n\n")
        count += 1
    return count
