"""One PubMed record's XML element to an ArticleRecord: the field converters.

They run for every element of every record, so they are written for speed: one pass over each
element's children, text read through ``litwatch.pubmed.element_text`` (text-only elements,
nearly all of them, escaped straight from ``.text``), and lists read in one call rather than
one per item.
"""

from __future__ import annotations

from datetime import date
from typing import Any

from litwatch.pubmed.dates import normalise_orcid, parse_pub_date, ymd_date
from litwatch.pubmed.element_text import markup_list, markup_of, plain_of
from litwatch.pubmed.markup import escape_text
from litwatch.records import (
    AbstractSection,
    ArticleRecord,
    Author,
    CommentCorrection,
    MeshHeading,
)

# --------------------------------------------------------------------------- dates


def _ymd(el: Any) -> date | None:
    """A Year/Month/Day element (ArticleDate, PubMedPubDate) as a date, or None."""
    year = month = day = ""
    for child in el:
        tag = child.tag
        if tag == "Year":
            year = plain_of(child)
        elif tag == "Month":
            month = plain_of(child)
        elif tag == "Day":
            day = plain_of(child)
    return ymd_date(year, month, day)


def _pub_date(el: Any, record: ArticleRecord) -> None:
    parts: dict[str, str] = {}
    for child in el:
        if isinstance(child.tag, str):
            parts[child.tag] = markup_of(child)
    if "MedlineDate" in parts:
        text = parts["MedlineDate"]
    else:
        keys = ("Year", "Month", "Day", "Season")
        text = " ".join(parts[k] for k in keys if parts.get(k))
    record.pub_date_text = text
    record.pub_year, record.pub_date = parse_pub_date(text)


# --------------------------------------------------------------------------- fields


def article_from_element(elem: Any) -> ArticleRecord:
    """The record a <PubmedArticle> element holds."""
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
            record.pmid = plain_of(child)
            record.pmid_version = int(child.get("Version") or 1)
        elif tag == "Article":
            _read_article(child, record, eloc)
        elif tag == "MeshHeadingList":
            record.mesh = _mesh_list(child)
        elif tag == "KeywordList":
            record.keywords.extend(markup_list(child, "Keyword"))
        elif tag == "CommentsCorrectionsList":
            record.comments_corrections = _comments(child)


def _read_article(article: Any, record: ArticleRecord, eloc: dict[str, str]) -> None:
    for child in article:
        tag = child.tag
        if tag == "Journal":
            _journal(child, record)
        elif tag == "ArticleTitle":
            record.title = markup_of(child)
        elif tag == "AuthorList":
            record.authors = _authors(child)
        elif tag == "Abstract":
            _abstract(child, record)
        elif tag == "Pagination":
            _pagination(child, record)
        elif tag == "ELocationID":
            if child.get("ValidYN") != "N":
                eloc.setdefault(child.get("EIdType", ""), plain_of(child))
        elif tag == "Language":
            record.languages.append(plain_of(child))
        elif tag == "PublicationTypeList":
            record.publication_types = markup_list(child, "PublicationType")
        elif tag == "ArticleDate":
            if child.get("DateType", "Electronic") == "Electronic" and not record.electronic_date:
                record.electronic_date = _ymd(child)
        elif tag == "VernacularTitle":
            record.vernacular_title = markup_of(child)
        elif tag == "DataBankList":
            _databanks(child, record)


def _journal(journal: Any, record: ArticleRecord) -> None:
    for child in journal:
        tag = child.tag
        if tag == "ISSN":
            record.issn = record.issn or plain_of(child)
        elif tag == "Title":
            record.journal_title = markup_of(child)
        elif tag == "ISOAbbreviation":
            record.journal_iso = markup_of(child)
        elif tag == "JournalIssue":
            for part in child:
                tag = part.tag
                if tag == "Volume":
                    record.volume = markup_of(part)
                elif tag == "Issue":
                    record.issue = markup_of(part)
                elif tag == "PubDate":
                    _pub_date(part, record)


def _pagination(pagination: Any, record: ArticleRecord) -> None:
    found = {c.tag: markup_of(c) for c in pagination if isinstance(c.tag, str)}
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
                    escape_text(get("Label", "")), get("NlmCategory", ""), markup_of(child)
                )
            )
        elif tag == "CopyrightInformation":
            record.copyright = markup_of(child)


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
                last = markup_of(child)
            elif tag == "ForeName":
                fore = markup_of(child)
            elif tag == "Initials":
                initials = markup_of(child)
            elif tag == "AffiliationInfo":
                for info in child:
                    if info.tag == "Affiliation":
                        affiliations.append(markup_of(info))
            elif tag == "Identifier":
                if not orcid and child.get("Source", "").upper() == "ORCID":
                    orcid = normalise_orcid(plain_of(child))
            elif tag == "CollectiveName":
                collective = markup_of(child)
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
                descriptor = markup_of(child)
                ui = child.get("UI", "")
                major = child.get("MajorTopicYN") == "Y"
            elif tag == "QualifierName":
                qualifiers.append((markup_of(child), child.get("MajorTopicYN") == "Y"))
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
                source = markup_of(child)
            elif tag == "PMID":
                pmid = plain_of(child)
        comments.append(CommentCorrection(el.get("RefType", ""), pmid, source))
    return comments


def _databanks(banks: Any, record: ArticleRecord) -> None:
    for bank in banks:
        if bank.tag != "DataBank":
            continue
        name, numbers = "", []
        for child in bank:
            if child.tag == "DataBankName":
                name = plain_of(child)
            elif child.tag == "AccessionNumberList":
                numbers = [plain_of(n) for n in child if n.tag == "AccessionNumber"]
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
                        record.doi = plain_of(aid)
                elif kind == "pii":
                    if not record.pii:
                        record.pii = plain_of(aid)
                elif kind == "pmc" and not record.pmcid:
                    record.pmcid = plain_of(aid)
        elif tag == "PublicationStatus":
            record.publication_status = plain_of(child)
