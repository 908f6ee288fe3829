"""PubMed's MEDLINE text (.nbib, "Save: PubMed format") read into ArticleRecords.

``Bio.Medline`` splits the file into tagged records; this maps each one's tags onto the same
record the XML parser makes, as far as the tags carry it (affiliations are not tied to their
authors, and a labelled abstract stays one paragraph). A record that cannot be used (no
PMID, a PMID that is not a number) is reported by its position and the rest are read.
"""

from __future__ import annotations

import re
from dataclasses import dataclass, field
from datetime import date
from typing import Any

from Bio import Medline

from litwatch.pubmed.dates import parse_pub_date
from litwatch.pubmed.markup import escape_text
from litwatch.records import AbstractSection, ArticleRecord, Author, CommentCorrection, MeshHeading

_COMMENT_REFS = {
    "RIN": "RetractionIn",
    "ROF": "RetractionOf",
    "EIN": "ErratumIn",
    "EFR": "ErratumFor",
    "CON": "CommentOn",
    "CIN": "CommentIn",
    "UIN": "UpdateIn",
    "UOF": "UpdateOf",
}
_PMID_IN = re.compile(r"PMID:\s*(\d+)")
_ID_PAIR = re.compile(r"(\S+)\s+\[(\w+)\]")


@dataclass
class NbibBatch:
    """What a MEDLINE file held: the records read, and why the others could not be."""

    articles: list[ArticleRecord] = field(default_factory=list)
    errors: list[str] = field(default_factory=list)  # "record 3: no PMID"


def looks_like_medline(text: str) -> bool:
    """Whether ``text`` is MEDLINE tagged text (it has a "PMID- " line)."""
    return re.search(r"^PMID- ", text, re.MULTILINE) is not None


def _list(record: dict[str, Any], tag: str) -> list[str]:
    value = record.get(tag, [])
    items = [value] if isinstance(value, str) else list(value)
    return [" ".join(v.split()) for v in items if v and v.strip()]


def _text(record: dict[str, Any], tag: str) -> str:
    return " ".join(_list(record, tag))


def _tagged(values: list[str], kind: str) -> str:
    """The value marked "[kind]" in LID/AID lines: "10.1/x [doi]" -> "10.1/x". Biopython
    joins repeated LID lines into one string, so every "value [kind]" pair is looked at."""
    for value in values:
        for found, marked in _ID_PAIR.findall(value):
            if marked == kind:
                return str(found)
    return ""


def _medline_date(text: str) -> date | None:
    digits = re.sub(r"\D", "", text.split(" ")[0])
    try:
        return date(int(digits[:4]), int(digits[4:6]), int(digits[6:8]))
    except ValueError:
        return None


def _split_short(name: str) -> tuple[str, str]:
    """An AU name, "Muller AB", to (last, initials)."""
    last, _, initials = name.rpartition(" ")
    return (last, initials) if last else (initials, "")


def _authors(record: dict[str, Any]) -> list[Author]:
    full, short = _list(record, "FAU"), _list(record, "AU")
    authors = []
    if full:
        for index, name in enumerate(full):
            last, _, fore = name.partition(", ")
            initials = _split_short(short[index])[1] if index < len(short) else ""
            authors.append(Author(escape_text(last), escape_text(fore), initials))
    else:
        for name in short:
            last, initials = _split_short(name)
            authors.append(Author(escape_text(last), "", initials))
    authors.extend(Author(collective_name=escape_text(n)) for n in _list(record, "CN"))
    return authors


def _mesh(term: str) -> MeshHeading:
    descriptor, *qualifiers = term.split("/")
    return MeshHeading(
        descriptor=escape_text(descriptor.lstrip("*")),
        major=descriptor.startswith("*"),
        qualifiers=[(escape_text(q.lstrip("*")), q.startswith("*")) for q in qualifiers],
    )


def _record(fields: dict[str, Any]) -> ArticleRecord:
    pmid = _text(fields, "PMID")
    ids = _list(fields, "LID") + _list(fields, "AID")
    pub_text = _text(fields, "DP")
    year, when = parse_pub_date(pub_text)
    abstract = _text(fields, "AB")
    issn = _list(fields, "IS")
    create = _list(fields, "CRDT")
    return ArticleRecord(
        pmid=pmid,
        doi=_tagged(ids, "doi"),
        pii=_tagged(ids, "pii"),
        pmcid=_text(fields, "PMC"),
        title=escape_text(_text(fields, "TI")),
        abstract_sections=[AbstractSection("", "", escape_text(abstract))] if abstract else [],
        copyright=escape_text(_text(fields, "CI")),
        authors=_authors(fields),
        journal_title=escape_text(_text(fields, "JT")),
        journal_iso=escape_text(_text(fields, "TA")),
        issn=issn[0].split(" ")[0] if issn else "",
        volume=escape_text(_text(fields, "VI")),
        issue=escape_text(_text(fields, "IP")),
        pages=escape_text(_text(fields, "PG")),
        pub_date_text=pub_text,
        pub_year=year,
        pub_date=when,
        electronic_date=_medline_date(_text(fields, "DEP")),
        entrez_date=_medline_date(_text(fields, "EDAT")),
        create_date=_medline_date(create[0]) if create else None,
        publication_types=[escape_text(t) for t in _list(fields, "PT")],
        mesh=[_mesh(t) for t in _list(fields, "MH")],
        keywords=[escape_text(k) for k in _list(fields, "OT")],
        languages=_list(fields, "LA"),
        comments_corrections=[
            CommentCorrection(
                ref_type,
                pmid=m.group(1) if (m := _PMID_IN.search(value)) else "",
                source=_PMID_IN.sub("", value).strip(),
            )
            for tag, ref_type in _COMMENT_REFS.items()
            for value in _list(fields, tag)
        ],
        registry_ids=[s.rpartition("/")[2] for s in _list(fields, "SI")],
        status=_text(fields, "STAT"),
        publication_status=_text(fields, "PST"),
    )


def parse_nbib(text: str) -> NbibBatch:
    """Every record of a MEDLINE file; each one that cannot be used is named in ``errors``."""
    batch = NbibBatch()
    seen: set[str] = set()
    lines = text.replace("\r\n", "\n").replace("\r", "\n").splitlines(keepends=True)
    for number, fields in enumerate(Medline.parse(lines), start=1):
        pmid = _text(fields, "PMID")
        if not pmid:
            batch.errors.append(f"record {number}: no PMID line")
            continue
        if not pmid.isdigit():
            batch.errors.append(f"record {number}: PMID {pmid!r} is not a number")
            continue
        if pmid in seen:
            continue
        seen.add(pmid)
        try:
            batch.articles.append(_record(fields))
        except (ValueError, TypeError, AttributeError) as exc:
            batch.errors.append(f"record {number} (PMID {pmid}): {exc}")
    return batch
