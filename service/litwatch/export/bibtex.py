"""BibTeX: one @article entry per article, keyed by PMID, with balanced braces."""

from __future__ import annotations

import re
from collections.abc import Iterable
from typing import TextIO

from litwatch.export.fields import (
    MONTHS,
    date_parts,
    name_parts,
    one_line,
    plain_abstract,
    split_pages,
    subject_terms,
)
from litwatch.export.rows import ExportRow
from litwatch.pubmed.markup import to_plain
from litwatch.records import Author

_TEXT_COMMANDS = (
    "backslash", "braceleft", "braceright", "asciitilde", "asciicircum", "less", "greater", "bar",
)  # fmt: skip
# Braces become commands rather than \{ \}: BibTeX counts every brace, escaped or not.
_BIBTEX_ESCAPES = str.maketrans(
    {c: "\\" + c for c in "&%$#_"}
    | {c: f"\\text{name}{{}}" for c, name in zip("\\{}~^<>|", _TEXT_COMMANDS, strict=True)}
)
_VERBATIM_ESCAPES = str.maketrans({"{": "%7B", "}": "%7D", "\\": "%5C"})


def bibtex_escape(text: str) -> str:
    """Plain text as a BibTeX field value: specials escaped, braces always balanced."""
    return one_line(text).translate(_BIBTEX_ESCAPES)


def _bibtex_name(author: Author) -> str:
    family, given = (bibtex_escape(p) for p in name_parts(author))
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
    yield "month", MONTHS[month - 1] if month else ""
    yield "volume", bibtex_escape(to_plain(article.volume))
    yield "number", bibtex_escape(to_plain(article.issue))
    yield "pages", bibtex_escape(pages)
    # doi is a verbatim field for biblatex: written as is, with braces kept out.
    yield "doi", one_line(article.doi).translate(_VERBATIM_ESCAPES)
    yield "pmid", bibtex_escape(article.pmid)
    yield "abstract", bibtex_escape(plain_abstract(article, " "))
    # Braces keep "Scleroderma, Systemic" one keyword in a comma-separated list.
    terms = (bibtex_escape(t) for t in subject_terms(article))
    yield "keywords", ", ".join(f"{{{t}}}" if "," in t else t for t in terms)
    yield "note", bibtex_escape(" ".join(note))


def write(rows: Iterable[ExportRow], out: TextIO) -> int:
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
