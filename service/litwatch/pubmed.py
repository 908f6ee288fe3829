"""PubMed efetch XML (db=pubmed, retmode=xml) to article records, streaming with lxml.

The parser reads one record at a time and throws each away once converted, so memory stays
flat whatever the size of the answer. It never loads a DTD and never touches the network,
whatever the DOCTYPE line says.

Text shown to people (titles, abstract, names, affiliations, journal, MeSH terms, keywords,
...) is *safe markup* (see ``litwatch.markup``); identifiers and codes (PMID, DOI, PMCID,
ISSN, ORCID, language, accession numbers, statuses) are kept as plain text.
"""

from __future__ import annotations

import io
import logging
import os
import re
from collections.abc import Iterator
from datetime import date
from typing import IO, Any

from lxml import etree

from litwatch.errors import ParseError
from litwatch.markup import INLINE_TAGS, escape_text

# The date and ORCID helpers moved to litwatch.pubdates; they stay importable from here.
from litwatch.pubdates import normalise_orcid as normalise_orcid
from litwatch.pubdates import parse_pub_date as parse_pub_date
from litwatch.pubdates import ymd_date as ymd_date
from litwatch.records import (
    AbstractSection,
    ArticleRecord,
    Author,
    CommentCorrection,
    MeshHeading,
    ParsedBatch,
)

logger = logging.getLogger(__name__)


Source = bytes | str | os.PathLike[str] | IO[bytes]

#: Kinds of the (kind, pmid) tuples ``iter_pubmed_xml`` yields beside articles.
DELETED, BOOK, FAILED = "deleted", "book", "failed"

_RECORD_TAGS = ("PubmedArticle", "PubmedBookArticle", "DeleteCitation")
_XML_DECL = re.compile(r"^\s*<\?xml[^>]*\?>")


# --------------------------------------------------------------------------- public API


def parse_pubmed_xml(source: Source) -> ParsedBatch:
    """Parse one efetch answer into a batch; bad records are logged and counted, not raised.

    Raises ``ParseError`` when nothing at all could be read (not XML, NCBI's ``<ERROR>``
    answer, or a document cut before its first record).
    """
    batch = ParsedBatch()
    for item in iter_pubmed_xml(source):
        if isinstance(item, ArticleRecord):
            batch.articles.append(item)
        elif item[0] == DELETED:
            batch.deleted_pmids.append(item[1])
        elif item[0] == BOOK:
            batch.book_pmids.append(item[1])
        else:
            batch.failed_pmids.append(item[1])
    return batch


def iter_pubmed_xml(source: Source) -> Iterator[ArticleRecord | tuple[str, str]]:
    """Yield each article, and ``(kind, pmid)`` for deletions, book articles and failures.

    ``source`` is XML as bytes, a ``str`` that starts with ``<`` (XML text), a path, or a
    binary file object. A document cut off mid-way yields what came before the break and
    then ``("failed", pmid)`` for the record that was cut (``""`` if its PMID is unknown).
    """
    stream, owned = _open(source)
    try:
        yield from _iter_stream(stream)
    finally:
        if owned:
            stream.close()


# --------------------------------------------------------------------------- streaming


def _open(source: Source) -> tuple[IO[bytes], bool]:
    if isinstance(source, bytes | bytearray | memoryview):
        return io.BytesIO(bytes(source)), True
    if isinstance(source, str):
        if source.lstrip()[:1] == "<":
            # The text is already decoded: drop any encoding the declaration names.
            return io.BytesIO(_XML_DECL.sub("", source, count=1).encode("utf-8")), True
        return open(source, "rb"), True
    if isinstance(source, os.PathLike):
        return open(os.fspath(source), "rb"), True
    return source, False


def _iter_stream(stream: IO[bytes]) -> Iterator[ArticleRecord | tuple[str, str]]:
    # End events only: asking for start events as well halves iterparse's speed.
    context = etree.iterparse(
        stream,
        events=("end",),
        tag=_RECORD_TAGS,
        load_dtd=False,
        no_network=True,
        resolve_entities=False,
        huge_tree=True,
        remove_comments=True,
        remove_pis=True,
    )
    produced = 0
    parent: Any = None
    try:
        for _, elem in context:
            yield from _convert(elem)
            produced += 1
            # Drop the record and everything before it: memory stays flat.
            elem.clear(keep_tail=True)
            parent = elem.getparent()
            if parent is not None:
                while elem.getprevious() is not None:
                    del parent[0]
    except etree.XMLSyntaxError as exc:
        if not produced:
            raise ParseError(f"not a readable PubMed XML document: {exc}") from exc
        # The half-built record, if any, hangs after the last one converted (now emptied).
        last = parent[-1] if parent is not None and len(parent) else None
        cut = _safe_pmid(last) if last is not None and len(last) else ""
        logger.warning(
            "PubMed XML broken after %d records (%s); record %s lost",
            produced,
            exc,
            cut or "with unknown PMID",
        )
        yield (FAILED, cut)
        return
    if not produced:
        _check_empty_root(context.root)


def _check_empty_root(root: Any) -> None:
    """An answer with no records must be an empty PubmedArticleSet, else say what it is."""
    if root is None:
        raise ParseError("not a PubMed XML document: no root element")
    errors = [" ".join((e.text or "").split()) for e in root.iter("ERROR")]
    if errors:
        raise ParseError("NCBI answered with an error: " + "; ".join(errors))
    if root.tag != "PubmedArticleSet":
        raise ParseError(f"not a PubMed efetch answer: root element <{root.tag}>")


def _convert(elem: Any) -> Iterator[ArticleRecord | tuple[str, str]]:
    tag = elem.tag
    if tag == "DeleteCitation":
        for child in elem:
            if child.tag == "PMID" and child.text:
                yield (DELETED, child.text.strip())
        return
    if tag == "PubmedBookArticle":
        pmid = _book_pmid(elem)
        logger.info("PMID %s is a book article (PubmedBookArticle): not stored", pmid)
        yield (BOOK, pmid)
        return
    try:
        record = _article(elem)
    except Exception as exc:  # one bad record must not cost the batch: log it and go on
        pmid = _safe_pmid(elem)
        logger.warning("PMID %s could not be converted: %r", pmid or "(unknown)", exc)
        yield (FAILED, pmid)
        return
    yield record


def _safe_pmid(elem: Any) -> str:
    try:
        node = elem.find("MedlineCitation/PMID")
        if node is None:
            node = elem.find("BookDocument/PMID")
        return (node.text or "").strip() if node is not None else ""
    except Exception:  # the PMID is only for the log line; never fail over it
        return ""


def _book_pmid(elem: Any) -> str:
    node = elem.find("BookDocument/PMID")
    return (node.text or "").strip() if node is not None else ""


# --------------------------------------------------------------------------- text
#
# The converters below run for every element of every record, so they are written for
# speed: one pass over each element's children, text-only elements (nearly all of them)
# escaped straight from ``.text``, and lists read in one call rather than one per item.


def _markup(el: Any) -> str:
    """Content of ``el`` as safe markup: inline tags kept, other elements reduced to text."""
    if len(el):
        parts: list[str] = []
        _walk(el, parts)
        return " ".join("".join(parts).split())
    text = el.text
    if not text:
        return ""
    # " ".join(text.split()) allocates a string per word; skip it when it would change
    # nothing. A printable str holds no whitespace but the plain space (every other
    # character str.split() splits on is unprintable), so only "  " and the ends remain.
    if not text.isprintable() or "  " in text or text[0] == " " or text[-1] == " ":
        text = " ".join(text.split())
    if "&" in text or "<" in text or ">" in text:
        return escape_text(text)
    return text


def _walk(el: Any, parts: list[str]) -> None:
    if el.text:
        parts.append(escape_text(el.text))
    for child in el:
        tag = child.tag
        if tag in INLINE_TAGS:
            parts.append(f"<{tag}>")
            _walk(child, parts)
            parts.append(f"</{tag}>")
        elif isinstance(tag, str):  # mml:math and friends: their text only
            _walk(child, parts)
        if child.tail:
            parts.append(escape_text(child.tail))


def _plain(el: Any) -> str:
    text = el.text
    return text.strip() if text else ""


def _markup_list(parent: Any, tag: str) -> list[str]:
    """Safe markup of each ``tag`` child of ``parent``."""
    return [_markup(child) for child in parent if child.tag == tag]


# --------------------------------------------------------------------------- dates


def _ymd(el: Any) -> date | None:
    """A Year/Month/Day element (ArticleDate, PubMedPubDate) as a date, or None."""
    year = month = day = ""
    for child in el:
        tag = child.tag
        if tag == "Year":
            year = _plain(child)
        elif tag == "Month":
            month = _plain(child)
        elif tag == "Day":
            day = _plain(child)
    return ymd_date(year, month, day)


def _pub_date(el: Any, record: ArticleRecord) -> None:
    parts: dict[str, str] = {}
    for child in el:
        if isinstance(child.tag, str):
            parts[child.tag] = _markup(child)
    if "MedlineDate" in parts:
        text = parts["MedlineDate"]
    else:
        keys = ("Year", "Month", "Day", "Season")
        text = " ".join(parts[k] for k in keys if parts.get(k))
    record.pub_date_text = text
    record.pub_year, record.pub_date = parse_pub_date(text)


# --------------------------------------------------------------------------- fields


def _article(elem: Any) -> ArticleRecord:
    record = ArticleRecord(pmid="")
    eloc: dict[str, str] = {}
    for part in elem:
        tag = part.tag
        if tag == "MedlineCitation":
            record.status = part.get("Status", "")
            _medline_citation(part, record, eloc)
        elif tag == "PubmedData":
            _pubmed_data(part, record)
    if not record.pmid:
        raise ValueError("PubmedArticle without a PMID")
    # ArticleIdList is the authority; ELocationID fills what it lacks.
    if not record.doi:
        record.doi = eloc.get("doi", "")
    if not record.pii:
        record.pii = eloc.get("pii", "")
    return record


def _medline_citation(mc: Any, record: ArticleRecord, eloc: dict[str, str]) -> None:
    for child in mc:
        tag = child.tag
        if tag == "PMID":
            record.pmid = _plain(child)
            record.pmid_version = int(child.get("Version") or 1)
        elif tag == "Article":
            _read_article(child, record, eloc)
        elif tag == "MeshHeadingList":
            record.mesh = _mesh_list(child)
        elif tag == "KeywordList":
            record.keywords.extend(_markup_list(child, "Keyword"))
        elif tag == "CommentsCorrectionsList":
            record.comments_corrections = _comments(child)


def _read_article(article: Any, record: ArticleRecord, eloc: dict[str, str]) -> None:
    for child in article:
        tag = child.tag
        if tag == "Journal":
            _journal(child, record)
        elif tag == "ArticleTitle":
            record.title = _markup(child)
        elif tag == "AuthorList":
            record.authors = _authors(child)
        elif tag == "Abstract":
            _abstract(child, record)
        elif tag == "Pagination":
            _pagination(child, record)
        elif tag == "ELocationID":
            if child.get("ValidYN") != "N":
                eloc.setdefault(child.get("EIdType", ""), _plain(child))
        elif tag == "Language":
            record.languages.append(_plain(child))
        elif tag == "PublicationTypeList":
            record.publication_types = _markup_list(child, "PublicationType")
        elif tag == "ArticleDate":
            if child.get("DateType", "Electronic") == "Electronic" and not record.electronic_date:
                record.electronic_date = _ymd(child)
        elif tag == "VernacularTitle":
            record.vernacular_title = _markup(child)
        elif tag == "DataBankList":
            _databanks(child, record)


def _journal(journal: Any, record: ArticleRecord) -> None:
    for child in journal:
        tag = child.tag
        if tag == "ISSN":
            record.issn = record.issn or _plain(child)
        elif tag == "Title":
            record.journal_title = _markup(child)
        elif tag == "ISOAbbreviation":
            record.journal_iso = _markup(child)
        elif tag == "JournalIssue":
            for part in child:
                tag = part.tag
                if tag == "Volume":
                    record.volume = _markup(part)
                elif tag == "Issue":
                    record.issue = _markup(part)
                elif tag == "PubDate":
                    _pub_date(part, record)


def _pagination(pagination: Any, record: ArticleRecord) -> None:
    found = {c.tag: _markup(c) for c in pagination if isinstance(c.tag, str)}
    pages = found.get("MedlinePgn", "")
    if not pages and found.get("StartPage"):
        end = found.get("EndPage", "")
        pages = f"{found['StartPage']}-{end}" if end else found["StartPage"]
    record.pages = pages


def _abstract(abstract: Any, record: ArticleRecord) -> None:
    sections = record.abstract_sections
    for child in abstract:
        tag = child.tag
        if tag == "AbstractText":
            get = child.get
            sections.append(
                AbstractSection(
                    escape_text(get("Label", "")), get("NlmCategory", ""), _markup(child)
                )
            )
        elif tag == "CopyrightInformation":
            record.copyright = _markup(child)


def _authors(author_list: Any) -> list[Author]:
    authors = []
    for el in author_list:
        if el.tag != "Author" or el.get("ValidYN") == "N":
            continue
        last = fore = initials = collective = orcid = ""
        affiliations: list[str] = []
        for child in el:
            tag = child.tag
            if tag == "LastName":
                last = _markup(child)
            elif tag == "ForeName":
                fore = _markup(child)
            elif tag == "Initials":
                initials = _markup(child)
            elif tag == "AffiliationInfo":
                for info in child:
                    if info.tag == "Affiliation":
                        affiliations.append(_markup(info))
            elif tag == "Identifier":
                if not orcid and child.get("Source", "").upper() == "ORCID":
                    orcid = normalise_orcid(_plain(child))
            elif tag == "CollectiveName":
                collective = _markup(child)
        authors.append(Author(last, fore, initials, collective, orcid, affiliations))
    return authors


def _mesh_list(mesh_list: Any) -> list[MeshHeading]:
    headings = []
    for heading in mesh_list:
        if heading.tag != "MeshHeading":
            continue
        descriptor = ui = ""
        major = False
        qualifiers: list[tuple[str, bool]] = []
        for child in heading:
            tag = child.tag
            if tag == "DescriptorName":
                descriptor = _markup(child)
                ui = child.get("UI", "")
                major = child.get("MajorTopicYN") == "Y"
            elif tag == "QualifierName":
                qualifiers.append((_markup(child), child.get("MajorTopicYN") == "Y"))
        headings.append(MeshHeading(descriptor, ui, major, qualifiers))
    return headings


def _comments(comment_list: Any) -> list[CommentCorrection]:
    comments = []
    for el in comment_list:
        if el.tag != "CommentsCorrections":
            continue
        pmid = source = ""
        for child in el:
            tag = child.tag
            if tag == "RefSource":
                source = _markup(child)
            elif tag == "PMID":
                pmid = _plain(child)
        comments.append(CommentCorrection(el.get("RefType", ""), pmid, source))
    return comments


def _databanks(banks: Any, record: ArticleRecord) -> None:
    for bank in banks:
        if bank.tag != "DataBank":
            continue
        name, numbers = "", []
        for child in bank:
            if child.tag == "DataBankName":
                name = _plain(child)
            elif child.tag == "AccessionNumberList":
                numbers = [_plain(n) for n in child if n.tag == "AccessionNumber"]
        record.databanks.setdefault(name, []).extend(numbers)
        record.registry_ids.extend(n for n in numbers if n not in record.registry_ids)


def _pubmed_data(data: Any, record: ArticleRecord) -> None:
    for child in data:
        tag = child.tag
        if tag == "History":
            for stamp in child:
                status = stamp.get("PubStatus")
                if status == "entrez":
                    if record.entrez_date is None:
                        record.entrez_date = _ymd(stamp)
                elif status == "pubmed":
                    if record.create_date is None:
                        record.create_date = _ymd(stamp)
        elif tag == "ArticleIdList":
            for aid in child:
                kind = aid.get("IdType")
                if kind == "doi":
                    if not record.doi:
                        record.doi = _plain(aid)
                elif kind == "pii":
                    if not record.pii:
                        record.pii = _plain(aid)
                elif kind == "pmc" and not record.pmcid:
                    record.pmcid = _plain(aid)
        elif tag == "PublicationStatus":
            record.publication_status = _plain(child)
