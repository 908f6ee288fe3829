"""Read PubmedArticle records into what the corpus keeps: the verbatim bytes and the fields a
query can see. ``index_article`` walks the lxml tree and is the reference; ``parse_articles``
takes the faster ``fastindex`` path when the document allows it."""

from __future__ import annotations

from dataclasses import dataclass
from datetime import date

from lxml import etree

from litwatch.fake_eutils.fastindex import index_raw, split_articles
from litwatch.fake_eutils.matching import Searchable
from litwatch.fake_eutils.query import normalize

_MONTHS = {m: i for i, m in enumerate("jan feb mar apr may jun jul aug sep oct nov dec".split(), 1)}
_SEASONS = {"spring": 3, "summer": 6, "fall": 9, "autumn": 9, "winter": 12}
# The elements index_article looks at; iterating over only these keeps loading fast.
_TAGS = (
    "PMID",
    "ArticleTitle",
    "AbstractText",
    "Keyword",
    "DescriptorName",
    "PublicationType",
    "Language",
    "Author",
    "Title",
    "ISOAbbreviation",
    "MedlineTA",
    "AccessionNumber",
    "PubMedPubDate",
    "DateRevised",
    "PubDate",
)


def xml_parser() -> etree.XMLParser:
    # Never fetch a DTD or expand external entities: the corpus is data, not a network client.
    return etree.XMLParser(resolve_entities=False, no_network=True, load_dtd=False, huge_tree=True)


@dataclass(slots=True)
class IndexedRecord:
    """One stored record: its XML as served, and what a query can see of it."""

    pmid: str
    xml: bytes
    doc: Searchable
    crdt: date
    edat: date
    mdat: date
    dp: date | None


def _text(el: etree._Element) -> str:
    return "".join(el.itertext())


def _ymd(el: etree._Element | None) -> date | None:
    """A date from Year/Month/Day children (Month may be a number, a name or missing)."""
    if el is None:
        return None
    parts = {c.tag: (c.text or "").strip() for c in el}
    year = parts.get("Year", "")[:4]
    if not year.isdigit():
        medline = parts.get("MedlineDate", "")
        return date(int(medline[:4]), 1, 1) if medline[:4].isdigit() else None
    month_text = parts.get("Month", "").lower()
    if month_text.isdigit():
        month = int(month_text)
    elif month_text[:3] in _MONTHS:
        month = _MONTHS[month_text[:3]]
    else:
        month = _SEASONS.get(parts.get("Season", "").lower(), 1)
    day_text = parts.get("Day", "1")
    day = int(day_text) if day_text.isdigit() else 1
    try:
        return date(int(year), month, day)
    except ValueError:
        return date(int(year), month, 1)


def index_article(article: etree._Element) -> IndexedRecord:
    """Index one ``<PubmedArticle>`` element (one pass over its elements: this is hot)."""
    pmid = ""
    title = ""
    abstract: list[str] = []
    keywords: list[str] = []
    mesh: list[str] = []
    major: list[str] = []
    pub_types: list[str] = []
    languages: list[str] = []
    authors: list[str] = []
    journals: list[str] = []
    ids: list[str] = []
    history: dict[str | None, date | None] = {}
    revised = dp = None
    for el in article.iter(tag=_TAGS):
        tag = el.tag
        if tag == "PMID":
            if not pmid and el.getparent().tag == "MedlineCitation":  # type: ignore[union-attr]
                pmid = (el.text or "").strip()
        elif tag == "ArticleTitle":
            title = normalize(_text(el))
        elif tag == "AbstractText":
            if el.getparent().getparent().tag == "Article":  # type: ignore[union-attr]
                abstract.append(_text(el))
        elif tag == "Keyword":
            keywords.append(normalize(_text(el)))
        elif tag == "DescriptorName":
            name = normalize(_text(el))
            mesh.append(name)
            flags = [el.get("MajorTopicYN")]
            flags += [q.get("MajorTopicYN") for q in el.itersiblings("QualifierName")]
            if "Y" in flags:
                major.append(name)
        elif tag == "PublicationType":
            pub_types.append(normalize(_text(el)))
        elif tag == "Language":
            languages.append((el.text or "").strip().lower())
        elif tag == "Author":
            if el.getparent().getparent().tag == "Article":  # type: ignore[union-attr]
                parts = {c.tag: c.text or "" for c in el}
                name = parts.get("CollectiveName") or (
                    f"{parts.get('LastName', '')} {parts.get('Initials', '')}"
                )
                authors.append(normalize(name))
        elif tag in ("Title", "ISOAbbreviation", "MedlineTA"):
            journals.append(normalize(el.text or ""))
        elif tag == "AccessionNumber":
            ids.append(normalize(el.text or ""))
        elif tag == "PubMedPubDate":
            history[el.get("PubStatus")] = _ymd(el)
        elif tag == "DateRevised":
            revised = _ymd(el)
        elif tag == "PubDate":
            dp = _ymd(el)
    if not pmid:
        raise ValueError("PubmedArticle without MedlineCitation/PMID")
    crdt = history.get("pubmed") or history.get("entrez") or dp or date(1900, 1, 1)
    edat = history.get("entrez") or crdt
    mdat = revised or crdt
    doc = Searchable(
        title=title,
        abstract=normalize(" ".join(abstract)),
        keywords=keywords,
        mesh=mesh,
        mesh_major=major,
        pub_types=pub_types,
        languages=languages,
        authors=authors,
        journals=journals,
        secondary_ids=ids,
        pmid=pmid,
        dates={"crdt": crdt, "edat": edat, "mdat": mdat, "dp": dp},
    )
    xml = etree.tostring(article, encoding="UTF-8", xml_declaration=False, with_tail=False)
    return IndexedRecord(pmid, xml, doc, crdt, edat, mdat, dp)


def _index_fast(raw: bytes) -> IndexedRecord:
    pmid, doc = index_raw(raw)
    d = doc.dates
    return IndexedRecord(pmid, raw, doc, d["crdt"], d["edat"], d["mdat"], d["dp"])  # type: ignore[arg-type]


def parse_articles(xml_bytes: bytes) -> list[IndexedRecord]:
    """Index every PubmedArticle in a PubmedArticleSet (or one bare PubmedArticle)."""
    root = etree.fromstring(xml_bytes, xml_parser())  # refuses a document that is not well formed
    expected = 1 if root.tag == "PubmedArticle" else int(root.xpath("count(PubmedArticle)"))
    raws = split_articles(xml_bytes)
    if len(raws) == expected:
        try:
            return [_index_fast(raw) for raw in raws]
        except (UnicodeDecodeError, ValueError):
            pass  # an unusual document: take the slow, sure path
    elements = [root] if root.tag == "PubmedArticle" else root.findall("PubmedArticle")
    return [index_article(a) for a in elements]
