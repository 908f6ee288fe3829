"""Stored articles, with their classification and searches, as JSON lines, CSV, RIS or BibTeX.

Each writer streams: one row in, one record out, so an export of any size runs in flat memory.
Article text is safe markup; every format but JSON lines (which keeps the markup and adds plain
copies) gets plain text from ``to_plain``. Identifiers (DOI, PMID, ISSN) are written as stored.
"""

from __future__ import annotations

import csv
import json
import re
from collections.abc import Callable, Iterable
from dataclasses import dataclass, field
from datetime import datetime
from typing import TextIO

from litwatch.pubmed.markup import to_plain
from litwatch.records import ArticleRecord, Author, Classification

FORMATS = ("jsonl", "csv", "ris", "bibtex")

CSV_COLUMNS = (
    "pmid", "doi", "pmcid", "title", "authors", "journal", "year", "pub_date",
    "publication_types", "mesh", "keywords", "registry_ids", "retracted", "relevance",
    "relevance_score", "design", "priority", "findings", "explanation", "flags", "searches",
    "first_seen", "pubmed_url", "abstract",
)  # fmt: skip

_MONTHS = ("jan", "feb", "mar", "apr", "may", "jun", "jul", "aug", "sep", "oct", "nov", "dec")
_DATE_TOKEN = re.compile(r"[A-Za-z]+|\d+")
# Characters str.splitlines() breaks on that json.dumps(ensure_ascii=False) leaves raw.
_JSON_LINE_BREAKS = str.maketrans({"\x85": "\\u0085", "\u2028": "\\u2028", "\u2029": "\\u2029"})
_TEXT_COMMANDS = (
    "backslash", "braceleft", "braceright", "asciitilde", "asciicircum", "less", "greater", "bar",
)  # fmt: skip
# Braces become commands rather than \{ \}: BibTeX counts every brace, escaped or not.
_BIBTEX_ESCAPES = str.maketrans(
    {c: "\\" + c for c in "&%$#_"}
    | {c: f"\\text{name}{{}}" for c, name in zip("\\{}~^<>|", _TEXT_COMMANDS, strict=True)}
)
_VERBATIM_ESCAPES = str.maketrans({"{": "%7B", "}": "%7D", "\\": "%5C"})


@dataclass(slots=True)
class ExportRow:
    """One stored article with everything known about it."""

    article: ArticleRecord
    classification: Classification | None = None
    searches: list[str] = field(default_factory=list)
    first_seen: datetime | None = None


def write_export(rows: Iterable[ExportRow], fmt: str, out: TextIO) -> int:
    """Write ``rows`` to ``out`` in ``fmt`` (one of ``FORMATS``); return how many were written.

    For CSV, open ``out`` with ``newline=""``.
    """
    writers: dict[str, Callable[[Iterable[ExportRow], TextIO], int]] = {
        "jsonl": _write_jsonl,
        "csv": _write_csv,
        "ris": _write_ris,
        "bibtex": _write_bibtex,
    }
    if fmt not in writers:
        raise ValueError(f"unknown export format {fmt!r}: choose one of {', '.join(FORMATS)}")
    return writers[fmt](rows, out)


# --------------------------------------------------------------------------- shared helpers


def pubmed_url(pmid: str) -> str:
    """The article's PubMed page."""
    return f"https://pubmed.ncbi.nlm.nih.gov/{pmid}/"


def plain_abstract(article: ArticleRecord, sep: str = "\n") -> str:
    """The abstract as plain text, one labelled section per paragraph joined by ``sep``."""
    parts = (
        to_plain(f"{s.label}: {s.text}" if s.label else s.text) for s in article.abstract_sections
    )
    return sep.join(p for p in parts if p)


def split_pages(pages: str) -> tuple[str, str]:
    """MEDLINE pagination to (start, end): "123-9" -> ("123", "129"); "e123" -> ("e123", "").

    A list of ranges ("12-4, 20") is kept whole as the start, since no single end fits it.
    """
    pages = " ".join(pages.split())
    if not pages or "," in pages or ";" in pages:
        return pages, ""
    start, _, end = (p.strip() for p in pages.partition("-"))
    if start.isdigit() and end.isdigit() and len(end) < len(start):
        end = start[: len(start) - len(end)] + end
    return start, end


def date_parts(article: ArticleRecord) -> tuple[int | None, int | None, int | None]:
    """(year, month, day) of the issue date, month and day only where PubMed gave them exactly.

    "2023 Feb 15" gives all three; "2023 Feb" no day; "1990 Spring" and "2013 Jan-Mar" year only.
    """
    year, when = article.pub_year, article.pub_date
    text = to_plain(article.pub_date_text)
    tokens = _DATE_TOKEN.findall(text)
    if when is None or "-" in text or len(tokens) < 2 or tokens[0] != str(year):
        return year, None, None
    if _month_number(tokens[1]) != when.month:
        return year, None, None
    day_known = len(tokens) == 3 and tokens[2].isdigit() and int(tokens[2]) == when.day
    return year, when.month, when.day if day_known else None


def _month_number(token: str) -> int | None:
    if token.isdigit():
        return int(token)
    name = token[:3].lower()
    return _MONTHS.index(name) + 1 if name in _MONTHS else None


def _plain_list(values: Iterable[str]) -> list[str]:
    return [p for p in (to_plain(v) for v in values) if p]


def _one_line(text: str) -> str:
    return " ".join(text.split())


def _subject_terms(article: ArticleRecord) -> list[str]:
    terms = _plain_list(article.keywords) + _plain_list(m.descriptor for m in article.mesh)
    return list(dict.fromkeys(terms))


def _stances(classification: Classification | None) -> str:
    if classification is None:
        return ""
    return "; ".join(f"{f.finding_id}:{f.stance}" for f in classification.findings)


def _iso(value: datetime | None) -> str | None:
    return value.isoformat() if value is not None else None


def _name_parts(author: Author) -> tuple[str, str]:
    """(family, given) in plain text; a collective name is all family."""
    if author.collective_name:
        return to_plain(author.collective_name), ""
    return to_plain(author.last_name), to_plain(author.fore_name or author.initials)


# --------------------------------------------------------------------------- JSON lines


def _write_jsonl(rows: Iterable[ExportRow], out: TextIO) -> int:
    count = 0
    for row in rows:
        article, c = row.article, row.classification
        record = article.to_dict()
        record["title_plain"] = to_plain(article.title)
        record["abstract_plain"] = plain_abstract(article)
        record["retracted"] = article.retracted
        record["classification"] = c.to_dict() if c is not None else None
        record["searches"] = list(row.searches)
        record["first_seen"] = _iso(row.first_seen)
        line = json.dumps(record, ensure_ascii=False).translate(_JSON_LINE_BREAKS)
        out.write(line + "\n")
        count += 1
    return count


# --------------------------------------------------------------------------- CSV


def _csv_row(row: ExportRow) -> dict[str, str]:
    article, c = row.article, row.classification
    return {
        "pmid": article.pmid,
        "doi": article.doi,
        "pmcid": article.pmcid,
        "title": to_plain(article.title),
        "authors": "; ".join(_plain_list(a.display for a in article.authors)),
        "journal": to_plain(article.journal_title),
        "year": str(article.pub_year or ""),
        "pub_date": article.pub_date.isoformat() if article.pub_date else "",
        "publication_types": "; ".join(_plain_list(article.publication_types)),
        "mesh": "; ".join(_plain_list(m.descriptor for m in article.mesh)),
        "keywords": "; ".join(_plain_list(article.keywords)),
        "registry_ids": "; ".join(article.registry_ids),
        "retracted": "true" if article.retracted else "false",
        "relevance": c.relevance if c else "",
        "relevance_score": str(c.relevance_score) if c else "",
        "design": c.design if c else "",
        "priority": str(c.priority) if c else "",
        "findings": _stances(c),
        "explanation": c.explanation if c else "",
        "flags": "; ".join(c.flags) if c else "",
        "searches": "; ".join(row.searches),
        "first_seen": _iso(row.first_seen) or "",
        "pubmed_url": pubmed_url(article.pmid),
        "abstract": plain_abstract(article),
    }


def _write_csv(rows: Iterable[ExportRow], out: TextIO) -> int:
    writer = csv.DictWriter(out, fieldnames=CSV_COLUMNS)
    writer.writeheader()
    count = 0
    for row in rows:
        writer.writerow(_csv_row(row))
        count += 1
    return count


# --------------------------------------------------------------------------- RIS


def _ris_date(article: ArticleRecord) -> str:
    year, month, day = date_parts(article)
    if year is None:
        return ""
    other = "" if month else _one_line(to_plain(article.pub_date_text))
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
            parts.append(f"Findings: {_stances(c)}.")
    return _one_line(" ".join(parts))


def _ris_lines(row: ExportRow) -> Iterable[tuple[str, str]]:
    article = row.article
    journal = to_plain(article.journal_title)
    start, end = split_pages(to_plain(article.pages))
    yield "TY", "JOUR"
    yield "TI", to_plain(article.title)
    for author in article.authors:
        family, given = _name_parts(author)
        yield "AU", f"{family}, {given}" if given else family
    yield "PY", str(article.pub_year or "")
    yield "DA", _ris_date(article)
    # T2, not JO: Zotero reads JO as the abbreviation, which J2 already carries.
    yield "T2", journal
    yield "J2", to_plain(article.journal_iso)
    yield "SN", _one_line(article.issn)
    yield "VL", to_plain(article.volume)
    yield "IS", to_plain(article.issue)
    yield "SP", start
    yield "EP", end
    yield "AB", plain_abstract(article, " ")
    for term in _subject_terms(article):
        yield "KW", term
    yield "DO", _one_line(article.doi)
    yield "AN", article.pmid
    yield "UR", pubmed_url(article.pmid)
    for language in article.languages:
        yield "LA", _one_line(language)
    yield "N1", _ris_note(row)


def _write_ris(rows: Iterable[ExportRow], out: TextIO) -> int:
    count = 0
    for row in rows:
        for tag, value in _ris_lines(row):
            if value:
                out.write(f"{tag}  - {value}\n")
        out.write("ER  - \n\n")
        count += 1
    return count


# --------------------------------------------------------------------------- BibTeX


def bibtex_escape(text: str) -> str:
    """Plain text as a BibTeX field value: specials escaped, braces always balanced."""
    return _one_line(text).translate(_BIBTEX_ESCAPES)


def _bibtex_name(author: Author) -> str:
    family, given = (bibtex_escape(p) for p in _name_parts(author))
    # Braces keep a group's name, or a name holding "and", from being split into persons.
    if author.collective_name or re.search(r"\band\b", family, re.IGNORECASE):
        family = f"{{{family}}}"
    if re.search(r"\band\b", given, re.IGNORECASE):
        given = f"{{{given}}}"
    return f"{family}, {given}" if given else family


def _bibtex_fields(row: ExportRow) -> Iterable[tuple[str, str]]:
    article, c = row.article, row.classification
    _, month, _ = date_parts(article)
    page_ranges = (split_pages(p) for p in to_plain(article.pages).split(","))
    pages = ", ".join(f"{s}--{e}" if e else s for s, e in page_ranges if s)
    note = ["RETRACTED."] if article.retracted else []
    if c is not None and c.explanation:
        note.append(c.explanation)
    yield "title", bibtex_escape(to_plain(article.title))
    yield "author", " and ".join(n for n in map(_bibtex_name, article.authors) if n)
    yield "journal", bibtex_escape(to_plain(article.journal_title))
    yield "year", str(article.pub_year or "")
    yield "month", _MONTHS[month - 1] if month else ""
    yield "volume", bibtex_escape(to_plain(article.volume))
    yield "number", bibtex_escape(to_plain(article.issue))
    yield "pages", bibtex_escape(pages)
    # doi is a verbatim field for biblatex: written as is, with braces kept out.
    yield "doi", _one_line(article.doi).translate(_VERBATIM_ESCAPES)
    yield "pmid", bibtex_escape(article.pmid)
    yield "abstract", bibtex_escape(plain_abstract(article, " "))
    # Braces keep "Scleroderma, Systemic" one keyword in a comma-separated list.
    terms = (bibtex_escape(t) for t in _subject_terms(article))
    yield "keywords", ", ".join(f"{{{t}}}" if "," in t else t for t in terms)
    yield "note", bibtex_escape(" ".join(note))


def _write_bibtex(rows: Iterable[ExportRow], out: TextIO) -> int:
    count = 0
    for row in rows:
        key = re.sub(r"[^0-9A-Za-z]", "", row.article.pmid)
        out.write(f"@article{{pmid{key},\n")
        fields = [(name, value) for name, value in _bibtex_fields(row) if value]
        for index, (name, value) in enumerate(fields):
            # Month macros (jan, feb, ...) are written bare so styles can localise them.
            body = value if name == "month" else f"{{{value}}}"
            comma = "," if index < len(fields) - 1 else ""
            out.write(f"  {name} = {body}{comma}\n")
        out.write("}\n\n")
        count += 1
    return count
