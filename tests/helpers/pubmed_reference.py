"""The reference PubMed parser: Biopython's ``Entrez`` reader, field for field like ``pubmed``.

Slower than ``litwatch.pubmed.parser`` and whole-document, it exists to check the fast parser
against an independent reading of the same XML (tests compare every field) and as the
baseline of the parsing benchmark.

Biopython validates against the DTD a document names. It ships the PubMed DTDs up to
pubmed_250101 and would download any other; here it may not: a DTD it does not have on disk,
or one named by a plain ``http://`` URL, ends the parse with ``ParseError`` at once.
"""

from __future__ import annotations

import html
import io
import os
import re
from datetime import date
from functools import cache
from typing import Any

from litwatch.errors import ParseError
from litwatch.pubmed.markup import INLINE_TAGS, collapse_space, escape_text
from litwatch.pubmed.parser import normalise_orcid, parse_pub_date, ymd_date
from litwatch.records import (
    AbstractSection,
    ArticleRecord,
    Author,
    CommentCorrection,
    MeshHeading,
    ParsedBatch,
)

# With escape=True Biopython escapes text but writes nested elements as literal tags, so
# every literal tag in its strings is markup and every text '<' is already '&lt;'.
_RECORD_KEYS = ("PubmedArticle", "PubmedBookArticle", "DeleteCitation")
_LITERAL_TAG = re.compile(r"<(/?)([^\s<>/]+)[^<>]*>")


@cache
def _offline_handler() -> type:
    """A Biopython DataHandler that reads DTDs from disk only (built on first use)."""
    from Bio.Entrez.Parser import DataHandler

    class OfflineDataHandler(DataHandler):  # type: ignore[misc]
        def externalEntityRefHandler(self, context, base, systemId, publicId):  # type: ignore[no-untyped-def]  # noqa: N802, N803
            filename = os.path.basename(systemId or "")
            handle = self.open_dtd_file(filename)
            if handle is None:
                raise ParseError(
                    f"Biopython has no local copy of {filename!r} and may not download it"
                )
            handle.close()
            try:
                return super().externalEntityRefHandler(context, base, systemId, publicId)
            except ValueError as exc:  # Biopython's refusal of a non-https DTD URL
                raise ParseError(f"Biopython refuses this document's DTD: {exc}") from exc

    return OfflineDataHandler


def read_entrez(data: bytes) -> Any:
    """``Bio.Entrez.read(..., validate=False, escape=True)`` that never reaches the network."""
    handler = _offline_handler()(False, True, False)  # validate, escape, ignore_errors
    try:
        return handler.read(io.BytesIO(data))
    except ParseError:
        raise
    except (RuntimeError, ValueError) as exc:  # NCBI's <ERROR>, or not XML / cut short
        raise ParseError(f"Biopython could not read the document: {exc}") from exc


def parse_with_entrez(data: bytes) -> ParsedBatch:
    """Parse one efetch answer with Biopython into the same batch ``parse_pubmed_xml`` makes."""
    tree = read_entrez(data)
    if not hasattr(tree, "get") or not any(k in tree for k in _RECORD_KEYS):
        raise ParseError("not a PubMed efetch answer")
    batch = ParsedBatch()
    for article in tree.get("PubmedArticle", []):
        try:
            batch.articles.append(_article(article))
        except Exception:  # same contract as the fast parser: count it and go on
            batch.failed_pmids.append(_plain(article.get("MedlineCitation", {}).get("PMID", "")))
    for book in tree.get("PubmedBookArticle", []):
        batch.book_pmids.append(_plain(book["BookDocument"]["PMID"]))
    batch.deleted_pmids = [_plain(p) for p in tree.get("DeleteCitation", [])]
    return batch


def _markup(value: Any) -> str:
    """A Biopython string to safe markup: inline tags kept bare, other tags reduced to text."""
    out, pos = [], 0
    text = str(value)
    for match in _LITERAL_TAG.finditer(text):
        out.append(text[pos : match.start()])
        pos = match.end()
        name = match.group(2)
        if name in INLINE_TAGS:
            out.append(f"<{match.group(1)}{name}>")
    out.append(text[pos:])
    return collapse_space("".join(out))


def _plain(value: Any) -> str:
    return html.unescape(str(value)).strip()


def _article(article: Any) -> ArticleRecord:
    mc = article["MedlineCitation"]
    art = mc["Article"]
    data = article.get("PubmedData", {})
    pmid = mc["PMID"]
    record = ArticleRecord(
        pmid=_plain(pmid),
        pmid_version=int(pmid.attributes.get("Version") or 1),
        status=mc.attributes.get("Status", ""),
        title=_markup(art.get("ArticleTitle", "")),
        vernacular_title=_markup(art.get("VernacularTitle", "")),
        languages=[_plain(x) for x in art.get("Language", [])],
        publication_types=[_markup(x) for x in art.get("PublicationTypeList", [])],
        publication_status=_plain(data.get("PublicationStatus", "")),
    )
    if not record.pmid:
        raise ValueError("PubmedArticle without a PMID")
    _journal(art["Journal"], record)
    _pagination(art.get("Pagination", {}), record)
    abstract = art.get("Abstract", {})
    record.abstract_sections = [
        AbstractSection(
            label=escape_text(t.attributes.get("Label", "")),
            nlm_category=t.attributes.get("NlmCategory", ""),
            text=_markup(t),
        )
        for t in abstract.get("AbstractText", [])
    ]
    record.copyright = _markup(abstract.get("CopyrightInformation", ""))
    record.authors = [
        _author(a) for a in art.get("AuthorList", []) if a.attributes.get("ValidYN") != "N"
    ]
    for stamp in art.get("ArticleDate", []):
        if stamp.attributes.get("DateType", "Electronic") == "Electronic":
            record.electronic_date = _ymd(stamp)
            break
    for bank in art.get("DataBankList", []):
        numbers = [_plain(n) for n in bank.get("AccessionNumberList", [])]
        record.databanks.setdefault(_plain(bank.get("DataBankName", "")), []).extend(numbers)
        record.registry_ids.extend(n for n in numbers if n not in record.registry_ids)
    record.mesh = [_mesh(h) for h in mc.get("MeshHeadingList", [])]
    record.keywords = [_markup(k) for group in mc.get("KeywordList", []) for k in group]
    record.comments_corrections = [
        CommentCorrection(
            ref_type=c.attributes.get("RefType", ""),
            pmid=_plain(c.get("PMID", "")),
            source=_markup(c.get("RefSource", "")),
        )
        for c in mc.get("CommentsCorrectionsList", [])
    ]
    _identifiers(art, data, record)
    for stamp in data.get("History", []):
        status = stamp.attributes.get("PubStatus")
        if status == "entrez" and record.entrez_date is None:
            record.entrez_date = _ymd(stamp)
        elif status == "pubmed" and record.create_date is None:
            record.create_date = _ymd(stamp)
    return record


def _journal(journal: Any, record: ArticleRecord) -> None:
    issn = journal.get("ISSN", "")
    record.issn = _plain(issn[0] if isinstance(issn, list) and issn else issn)
    record.journal_title = _markup(journal.get("Title", ""))
    record.journal_iso = _markup(journal.get("ISOAbbreviation", ""))
    issue = journal.get("JournalIssue", {})
    record.volume = _markup(issue.get("Volume", ""))
    record.issue = _markup(issue.get("Issue", ""))
    parts = {k: _markup(v) for k, v in issue.get("PubDate", {}).items()}
    if "MedlineDate" in parts:
        text = parts["MedlineDate"]
    else:
        text = " ".join(parts[k] for k in ("Year", "Month", "Day", "Season") if parts.get(k))
    record.pub_date_text = text
    record.pub_year, record.pub_date = parse_pub_date(text)


def _pagination(pagination: Any, record: ArticleRecord) -> None:
    pages = _markup(pagination.get("MedlinePgn", ""))
    start = _markup(pagination.get("StartPage", ""))
    if not pages and start:
        end = _markup(pagination.get("EndPage", ""))
        pages = f"{start}-{end}" if end else start
    record.pages = pages


def _author(author: Any) -> Author:
    orcids = [i for i in author.get("Identifier", []) if i.attributes.get("Source") == "ORCID"]
    return Author(
        last_name=_markup(author.get("LastName", "")),
        fore_name=_markup(author.get("ForeName", "")),
        initials=_markup(author.get("Initials", "")),
        collective_name=_markup(author.get("CollectiveName", "")),
        orcid=normalise_orcid(_plain(orcids[0])) if orcids else "",
        affiliations=[
            _markup(info["Affiliation"])
            for info in author.get("AffiliationInfo", [])
            if "Affiliation" in info
        ],
    )


def _mesh(heading: Any) -> MeshHeading:
    descriptor = heading["DescriptorName"]
    return MeshHeading(
        descriptor=_markup(descriptor),
        ui=descriptor.attributes.get("UI", ""),
        major=descriptor.attributes.get("MajorTopicYN") == "Y",
        qualifiers=[
            (_markup(q), q.attributes.get("MajorTopicYN") == "Y")
            for q in heading.get("QualifierName", [])
        ],
    )


def _identifiers(art: Any, data: Any, record: ArticleRecord) -> None:
    ids: dict[str, str] = {}
    for aid in data.get("ArticleIdList", []):
        ids.setdefault(aid.attributes.get("IdType", ""), _plain(aid))
    for eloc in art.get("ELocationID", []):
        if eloc.attributes.get("ValidYN") != "N":
            ids.setdefault(eloc.attributes.get("EIdType", ""), _plain(eloc))
    record.doi, record.pmcid, record.pii = (
        ids.get("doi", ""),
        ids.get("pmc", ""),
        ids.get("pii", ""),
    )


def _ymd(stamp: Any) -> date | None:
    return ymd_date(*(_plain(stamp.get(k, "")) for k in ("Year", "Month", "Day")))
