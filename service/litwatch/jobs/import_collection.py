"""Import a file as a saved collection: a PubMed .nbib file, or a text file of PMIDs.

The records of an .nbib file are stored as they are (an article already stored keeps its
stored record, which came from PubMed's XML and says more); a PMID list is fetched through
the E-utilities client. Either way the new articles are classified as a poll classifies
them, then the collection is recorded. A record or a line that cannot be used is reported
and the rest imported; a file with nothing usable stores nothing.
"""

from __future__ import annotations

import re
from dataclasses import dataclass, field

from sqlmodel import Session

from litwatch.context import Context
from litwatch.errors import ImportFileError, QueryError
from litwatch.eutils.query_check import check_search_name
from litwatch.judging.classify_stored import classify_changed
from litwatch.pubmed.nbib import looks_like_medline, parse_nbib
from litwatch.pubmed.parser import parse_pubmed_xml
from litwatch.records import ArticleRecord
from litwatch.store.articles import stored_pmids, upsert_articles
from litwatch.store.collections import add_to_collection, ensure_collection

MAX_BYTES = 20 * 1024 * 1024
_PMID = re.compile(r"\d{1,9}")
_SEPARATORS = re.compile(r"[\s,;]+")


@dataclass
class ImportSummary:
    """What an import did: the articles it put in the collection and what it could not use."""

    collection: str
    kind: str  # "nbib" | "pmids"
    pmids: list[str] = field(default_factory=list)  # the collection's articles from this file
    added: int = 0  # of them, new to the collection
    stored_new: int = 0  # articles the store did not hold before
    problems: list[str] = field(default_factory=list)

    def line(self) -> str:
        what = "MEDLINE records" if self.kind == "nbib" else "PMIDs"
        skipped = f", {len(self.problems)} skipped" if self.problems else ""
        return (
            f"{self.collection}: {len(self.pmids)} article(s) from {what} "
            f"({self.added} new to the collection, {self.stored_new} new to the store{skipped})"
        )


def checked_collection_name(name: str) -> str:
    """The name if it is a slug, as a saved search's name must be; else ImportFileError."""
    name = (name or "").strip()
    if not name:
        raise ImportFileError("the collection needs a name")
    try:
        return check_search_name(name)
    except QueryError as exc:
        raise ImportFileError(str(exc)) from None


def read_pmid_list(text: str) -> tuple[list[str], list[str]]:
    """PMIDs of a text file, one or more a line (spaces, commas; "#" starts a comment), each
    once, and the problems: "line 3: 'abc' is not a PMID"."""
    pmids: list[str] = []
    problems: list[str] = []
    for number, line in enumerate(text.splitlines(), start=1):
        for token in _SEPARATORS.split(line.split("#", 1)[0].strip()):
            if not token:
                continue
            if _PMID.fullmatch(token) and token.strip("0"):
                pmids.append(token.lstrip("0"))
            else:
                problems.append(f"line {number}: {token[:40]!r} is not a PMID")
    return list(dict.fromkeys(pmids)), problems


def _decode(data: bytes) -> str:
    if len(data) > MAX_BYTES:
        raise ImportFileError(f"the file is larger than {MAX_BYTES // (1024 * 1024)} MB")
    if b"\0" in data:
        raise ImportFileError("this is not a text file: give a PubMed .nbib file or a PMID list")
    try:
        return data.decode("utf-8-sig")
    except UnicodeDecodeError:
        return data.decode("latin-1")


def _store_new(ctx: Context, session: Session, records: list[ArticleRecord]) -> int:
    """Store and classify the records the store does not hold yet; how many were new."""
    have = stored_pmids(session, [r.pmid for r in records])
    new = [r for r in records if r.pmid not in have]
    if not new:
        return 0
    stored = upsert_articles(session, new, now=ctx.now())
    session.commit()
    classify_changed(session, stored, new, kb=ctx.knowledge_base, now=ctx.now())
    return len(new)


def _fetch_pmids(ctx: Context, session: Session, pmids: list[str], summary: ImportSummary) -> None:
    """Fetch the PMIDs not stored yet; store and classify them; note those PubMed lacks."""
    missing = [p for p in pmids if p not in stored_pmids(session, pmids)]
    got: set[str] = set()
    for _, xml in ctx.eutils.iter_id_batches(missing) if missing else ():
        parsed = parse_pubmed_xml(xml)
        summary.stored_new += _store_new(ctx, session, parsed.articles)
        got.update(a.pmid for a in parsed.articles)
        summary.problems.extend(f"PMID {p}: {e}" for p, e in parsed.errors.items())
        summary.problems.extend(f"PMID {p}: deleted from PubMed" for p in parsed.deleted_pmids)
        summary.problems.extend(f"PMID {p}: a book, not an article" for p in parsed.book_pmids)
        got.update(parsed.errors, parsed.deleted_pmids, parsed.book_pmids)
    summary.problems.extend(f"PMID {p}: not found in PubMed" for p in missing if p not in got)
    stored = stored_pmids(session, pmids)
    summary.pmids = [p for p in pmids if p in stored]


def import_file(ctx: Context, name: str, data: bytes) -> ImportSummary:
    """Import ``data`` (an .nbib file or a PMID list) into the collection ``name``.

    ImportFileError when the name is not a slug or the file holds nothing usable; then
    nothing is stored. An EutilsError when PubMed cannot be reached goes up as it is.
    """
    name = checked_collection_name(name)
    text = _decode(data)
    with Session(ctx.engine) as session:
        if looks_like_medline(text):
            batch = parse_nbib(text)
            summary = ImportSummary(name, "nbib", problems=list(batch.errors))
            if not batch.articles:
                raise ImportFileError(
                    _nothing(summary, "the file holds no MEDLINE record with a PMID")
                )
            summary.stored_new = _store_new(ctx, session, batch.articles)
            summary.pmids = [a.pmid for a in batch.articles]
        else:
            pmids, problems = read_pmid_list(text)
            summary = ImportSummary(name, "pmids", problems=problems)
            if not pmids:
                raise ImportFileError(
                    _nothing(summary, "the file is neither a PubMed .nbib file nor a list of PMIDs")
                )
            _fetch_pmids(ctx, session, pmids, summary)
            if not summary.pmids:
                raise ImportFileError(_nothing(summary, "none of its PMIDs could be fetched"))
        collection = ensure_collection(session, name, now=ctx.now())
        summary.added = add_to_collection(session, collection, summary.pmids, now=ctx.now())
        session.commit()
    return summary


def _nothing(summary: ImportSummary, why: str) -> str:
    shown = "; ".join(summary.problems[:5])
    more = f" (and {len(summary.problems) - 5} more)" if len(summary.problems) > 5 else ""
    return f"nothing imported: {why}" + (f": {shown}{more}" if shown else "")
