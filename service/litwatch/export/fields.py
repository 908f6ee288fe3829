"""How an article's fields are written in every format: plain text, pages, dates, names.

Article text is stored as safe markup; every format but JSON lines (which keeps the markup and
adds plain copies) writes plain text from ``to_plain``.
"""

from __future__ import annotations

import re
from collections.abc import Iterable
from datetime import datetime

from litwatch.pubmed.markup import to_plain
from litwatch.records import ArticleRecord, Author, Classification

MONTHS = ("jan", "feb", "mar", "apr", "may", "jun", "jul", "aug", "sep", "oct", "nov", "dec")
_DATE_TOKEN = re.compile(r"[A-Za-z]+|\d+")


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
    return MONTHS.index(name) + 1 if name in MONTHS else None


def plain_list(values: Iterable[str]) -> list[str]:
    """Each value as plain text, the empty ones left out."""
    return [p for p in (to_plain(v) for v in values) if p]


def one_line(text: str) -> str:
    return " ".join(text.split())


def subject_terms(article: ArticleRecord) -> list[str]:
    """Keywords, then MeSH descriptors, in plain text, each once."""
    terms = plain_list(article.keywords) + plain_list(m.descriptor for m in article.mesh)
    return list(dict.fromkeys(terms))


def stances(classification: Classification | None) -> str:
    """``finding:stance`` for each judged finding, joined by "; "."""
    if classification is None:
        return ""
    return "; ".join(f"{f.finding_id}:{f.stance}" for f in classification.findings)


def iso(value: datetime | None) -> str | None:
    return value.isoformat() if value is not None else None


def name_parts(author: Author) -> tuple[str, str]:
    """(family, given) in plain text; a collective name is all family."""
    if author.collective_name:
        return to_plain(author.collective_name), ""
    return to_plain(author.last_name), to_plain(author.fore_name or author.initials)
