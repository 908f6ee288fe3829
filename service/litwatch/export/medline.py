"""MEDLINE (.nbib), PubMed's own tagged text: what PubMed's "Save: PubMed format" writes.

Each line is a tag left-justified in four columns, "- ", then the value ("TI  - Title");
a long value goes on over continuation lines indented six spaces. Records are separated by a
blank line. Zotero, EndNote and Biopython's ``Bio.Medline`` read it.
"""

from __future__ import annotations

import textwrap
from collections.abc import Iterable
from typing import TextIO

from litwatch.export.fields import one_line, plain_abstract, plain_list, stances
from litwatch.export.rows import ExportRow
from litwatch.pubmed.markup import to_plain
from litwatch.records import ArticleRecord, Author, MeshHeading

WIDTH = 88  # PubMed wraps its own lines near here; readers join continuation lines anyway
RETRACTED_TYPE = "Retracted Publication"
_COMMENT_TAGS = {
    "RetractionIn": "RIN",
    "RetractionOf": "ROF",
    "ErratumIn": "EIN",
    "ErratumFor": "EFR",
    "CommentOn": "CON",
    "CommentIn": "CIN",
    "UpdateIn": "UIN",
    "UpdateOf": "UOF",
}


def medline_lines(tag: str, value: str) -> list[str]:
    """One field as MEDLINE lines: "TAG - " then the value, wrapped at word boundaries."""
    head = f"{tag:<4}- "
    wrapped = textwrap.wrap(
        one_line(value),
        width=WIDTH,
        initial_indent=head,
        subsequent_indent=" " * 6,
        break_long_words=False,
        break_on_hyphens=False,
    )
    return wrapped or []


def _initials(author: Author) -> str:
    if author.initials:
        return to_plain(author.initials)
    return "".join(p[0] for p in to_plain(author.fore_name).replace("-", " ").split() if p)


def _mesh_term(m: MeshHeading) -> str:
    descriptor = ("*" if m.major else "") + to_plain(m.descriptor)
    qualifiers = "".join(f"/{'*' if major else ''}{to_plain(q)}" for q, major in m.qualifiers)
    return descriptor + qualifiers


def _author_fields(authors: Iterable[Author]) -> Iterable[tuple[str, str]]:
    for author in authors:
        if author.collective_name:
            yield "CN", to_plain(author.collective_name)
            continue
        last = to_plain(author.last_name)
        fore = to_plain(author.fore_name)
        yield "FAU", f"{last}, {fore}" if fore else last
        initials = _initials(author)
        yield "AU", f"{last} {initials}" if initials else last
        if author.orcid:
            yield "AUID", f"ORCID: {author.orcid}"
        for affiliation in plain_list(author.affiliations):
            yield "AD", affiliation


def _source(article: ArticleRecord) -> str:
    """The SO line: "Arthritis Rheumatol. 2023 Feb 15;75(2):123-9. doi: 10.1/x."."""
    text = to_plain(article.journal_iso or article.journal_title)
    when = to_plain(article.pub_date_text) or str(article.pub_year or "")
    issue = f"({to_plain(article.issue)})" if article.issue else ""
    where = f"{to_plain(article.volume)}{issue}"
    where += f":{to_plain(article.pages)}" if article.pages else ""
    parts = [f"{text}." if text else "", f"{when};{where}." if where else f"{when}."]
    if article.doi:
        parts.append(f"doi: {one_line(article.doi)}.")
    return " ".join(p for p in parts if p and p != ".")


def litwatch_note(row: ExportRow) -> str:
    """The GN (general note) line: retracted or not, and litwatch's judgement."""
    parts = ["RETRACTED."] if row.article.retracted else []
    c = row.classification
    if c is not None:
        parts.append(f"litwatch: relevance {c.relevance}; design {c.design}.")
        if c.findings:
            parts.append(f"Findings: {stances(c)}.")
        if c.explanation:
            parts.append(c.explanation)
    return one_line(" ".join(parts))


def _fields(row: ExportRow) -> Iterable[tuple[str, str]]:
    a = row.article
    yield "PMID", a.pmid
    yield "STAT", a.status
    yield "IS", one_line(a.issn)
    yield "VI", to_plain(a.volume)
    yield "IP", to_plain(a.issue)
    yield "DP", to_plain(a.pub_date_text) or str(a.pub_year or "")
    yield "TI", to_plain(a.title)
    yield "PG", to_plain(a.pages)
    if a.pii:
        yield "LID", f"{one_line(a.pii)} [pii]"
    if a.doi:
        yield "LID", f"{one_line(a.doi)} [doi]"
    yield "AB", plain_abstract(a, " ")
    yield "CI", to_plain(a.copyright)
    yield from _author_fields(a.authors)
    for language in a.languages:
        yield "LA", one_line(language)
    for registry_id in a.registry_ids:
        yield "SI", registry_id
    types = list(a.publication_types)
    if a.retracted and RETRACTED_TYPE not in types:
        types.append(RETRACTED_TYPE)
    for kind in plain_list(types):
        yield "PT", kind
    if a.electronic_date:
        yield "DEP", a.electronic_date.strftime("%Y%m%d")
    yield "TA", to_plain(a.journal_iso)
    yield "JT", to_plain(a.journal_title)
    for comment in a.comments_corrections:
        tag = _COMMENT_TAGS.get(comment.ref_type)
        if tag:
            pmid = f" PMID: {comment.pmid}" if comment.pmid else ""
            yield tag, f"{to_plain(comment.source)}{pmid}".strip()
    for heading in a.mesh:
        yield "MH", _mesh_term(heading)
    if a.keywords:
        yield "OTO", "NOTNLM"
        for keyword in plain_list(a.keywords):
            yield "OT", keyword
    if a.entrez_date:
        yield "EDAT", a.entrez_date.strftime("%Y/%m/%d")
    if a.create_date:
        yield "CRDT", a.create_date.strftime("%Y/%m/%d")
    yield "PST", a.publication_status
    if a.doi:
        yield "AID", f"{one_line(a.doi)} [doi]"
    if a.pmcid:
        yield "PMC", one_line(a.pmcid)
    yield "SO", _source(a)
    yield "GN", litwatch_note(row)


def write(rows: Iterable[ExportRow], out: TextIO) -> int:
    count = 0
    for row in rows:
        if count:
            out.write("\n")
        for tag, value in _fields(row):
            for line in medline_lines(tag, value) if value else ():
                out.write(line + "\n")
        count += 1
    return count
