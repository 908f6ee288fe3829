"""Write PubmedArticle XML in the shape efetch serves, from a plain description of a record.

String building rather than a tree: the synthetic corpora ask for tens of thousands of
records in well under a second or two.
"""

from __future__ import annotations

from dataclasses import dataclass, field
from datetime import date
from xml.sax.saxutils import escape

DOCTYPE = (
    '<!DOCTYPE PubmedArticleSet PUBLIC "-//NLM//DTD PubMedArticle, 1st January 2025//EN" '
    '"https://dtd.nlm.nih.gov/ncbi/pubmed/out/pubmed_250101.dtd">'
)
_MONTH_NAMES = "Jan Feb Mar Apr May Jun Jul Aug Sep Oct Nov Dec".split()

# Publication type -> its MeSH UI.
PUB_TYPE_UI = {
    "Journal Article": "D016428",
    "Review": "D016454",
    "Systematic Review": "D000078182",
    "Meta-Analysis": "D017418",
    "Randomized Controlled Trial": "D016449",
    "Clinical Trial": "D016430",
    "Clinical Trial, Phase II": "D017427",
    "Clinical Trial, Phase III": "D017428",
    "Clinical Trial Protocol": "D000078325",
    "Multicenter Study": "D016448",
    "Observational Study": "D064888",
    "Comparative Study": "D003160",
    "Case Reports": "D002363",
    "Letter": "D016422",
    "Editorial": "D016421",
    "Comment": "D016420",
    "Retraction of Publication": "D016440",
    "Retracted Publication": "D016441",
    "Published Erratum": "D016425",
    "Research Support, Non-U.S. Gov't": "D013485",
}


@dataclass(slots=True)
class AuthorSpec:
    last: str
    fore: str
    affiliation: str = ""

    @property
    def initials(self) -> str:
        return "".join(p[0] for p in self.fore.replace("-", " ").split() if p)


@dataclass(slots=True)
class ArticleSpec:
    """Everything needed to write one PubmedArticle."""

    pmid: str
    title: str
    journal: str  # full title
    journal_iso: str
    issn: str
    pub_date: date
    created: date  # PubMedPubDate PubStatus="pubmed" (crdt)
    entrez: date | None = None  # PubStatus="entrez" (edat); defaults to created
    revised: date | None = None  # DateRevised (mdat); defaults to created
    sections: list[tuple[str, str, str]] = field(default_factory=list)  # label, category, text
    abstract: str = ""  # an unstructured abstract, used when sections is empty
    authors: list[AuthorSpec] = field(default_factory=list)
    volume: str = ""
    issue: str = ""
    pages: str = ""
    pub_types: list[str] = field(default_factory=lambda: ["Journal Article"])
    mesh: list[tuple[str, str, bool, list[tuple[str, str, bool]]]] = field(default_factory=list)
    keywords: list[str] = field(default_factory=list)
    language: str = "eng"
    registry: list[str] = field(default_factory=list)  # ClinicalTrials.gov numbers
    corrections: list[tuple[str, str, str]] = field(default_factory=list)  # type, source, pmid
    doi: str = ""
    status: str = "MEDLINE"
    publication_status: str = "ppublish"
    copyright: str = ""


def _e(text: str) -> str:
    return escape(text)


def _ymd(tag: str, d: date, attrs: str = "", hour: bool = False) -> str:
    extra = "<Hour>0</Hour><Minute>0</Minute>" if hour else ""
    if hour:  # History dates are written without leading zeros, as PubMed does
        body = f"<Year>{d.year}</Year><Month>{d.month}</Month><Day>{d.day}</Day>{extra}"
    else:
        body = f"<Year>{d.year}</Year><Month>{d.month:02d}</Month><Day>{d.day:02d}</Day>"
    return f"<{tag}{attrs}>{body}</{tag}>"


def render_article(a: ArticleSpec) -> str:
    """One ``<PubmedArticle>`` element as a string."""
    parts = [
        f'<PubmedArticle><MedlineCitation Status="{a.status}" Owner="NLM">',
        f'<PMID Version="1">{a.pmid}</PMID>',
        _ymd("DateRevised", a.revised or a.created),
        '<Article PubModel="Print-Electronic"><Journal>',
        f'<ISSN IssnType="Electronic">{a.issn}</ISSN><JournalIssue CitedMedium="Internet">',
        f"<Volume>{a.volume}</Volume>" if a.volume else "",
        f"<Issue>{a.issue}</Issue>" if a.issue else "",
        f"<PubDate><Year>{a.pub_date.year}</Year><Month>{_MONTH_NAMES[a.pub_date.month - 1]}"
        f"</Month></PubDate></JournalIssue>",
        f"<Title>{_e(a.journal)}</Title><ISOAbbreviation>{_e(a.journal_iso)}</ISOAbbreviation>",
        f"</Journal><ArticleTitle>{_e(a.title)}</ArticleTitle>",
        f"<Pagination><MedlinePgn>{a.pages}</MedlinePgn></Pagination>" if a.pages else "",
        f'<ELocationID EIdType="doi" ValidYN="Y">{_e(a.doi)}</ELocationID>' if a.doi else "",
    ]
    if a.sections or a.abstract:
        parts.append("<Abstract>")
        if a.sections:
            for label, category, text in a.sections:
                parts.append(
                    f'<AbstractText Label="{label}" NlmCategory="{category}">{_e(text)}'
                    "</AbstractText>"
                )
        else:
            parts.append(f"<AbstractText>{_e(a.abstract)}</AbstractText>")
        if a.copyright:
            parts.append(f"<CopyrightInformation>{_e(a.copyright)}</CopyrightInformation>")
        parts.append("</Abstract>")
    if a.authors:
        parts.append('<AuthorList CompleteYN="Y">')
        for au in a.authors:
            aff = (
                f"<AffiliationInfo><Affiliation>{_e(au.affiliation)}</Affiliation>"
                "</AffiliationInfo>"
                if au.affiliation
                else ""
            )
            parts.append(
                f'<Author ValidYN="Y"><LastName>{_e(au.last)}</LastName><ForeName>{_e(au.fore)}'
                f"</ForeName><Initials>{au.initials}</Initials>{aff}</Author>"
            )
        parts.append("</AuthorList>")
    parts.append(f"<Language>{a.language}</Language>")
    if a.registry:
        numbers = "".join(f"<AccessionNumber>{n}</AccessionNumber>" for n in a.registry)
        parts.append(
            '<DataBankList CompleteYN="Y"><DataBank><DataBankName>ClinicalTrials.gov'
            f"</DataBankName><AccessionNumberList>{numbers}</AccessionNumberList></DataBank>"
            "</DataBankList>"
        )
    parts.append("<PublicationTypeList>")
    for pt in a.pub_types:
        parts.append(
            f'<PublicationType UI="{PUB_TYPE_UI.get(pt, "D016428")}">{_e(pt)}</PublicationType>'
        )
    parts.append("</PublicationTypeList>")
    parts.append(_ymd("ArticleDate", a.pub_date, ' DateType="Electronic"'))
    parts.append(
        f"</Article><MedlineJournalInfo><Country>United States</Country><MedlineTA>"
        f"{_e(a.journal_iso)}</MedlineTA><ISSNLinking>{a.issn}</ISSNLinking>"
        "</MedlineJournalInfo>"
    )
    if a.corrections:
        parts.append("<CommentsCorrectionsList>")
        for ref_type, source, pmid in a.corrections:
            parts.append(
                f'<CommentsCorrections RefType="{ref_type}"><RefSource>{_e(source)}</RefSource>'
                f'<PMID Version="1">{pmid}</PMID></CommentsCorrections>'
            )
        parts.append("</CommentsCorrectionsList>")
    if a.mesh:
        parts.append("<MeshHeadingList>")
        for name, ui, major, qualifiers in a.mesh:
            quals = "".join(
                f'<QualifierName UI="{qui}" MajorTopicYN="{"Y" if qmaj else "N"}">{_e(q)}'
                "</QualifierName>"
                for q, qui, qmaj in qualifiers
            )
            parts.append(
                f'<MeshHeading><DescriptorName UI="{ui}" MajorTopicYN="{"Y" if major else "N"}">'
                f"{_e(name)}</DescriptorName>{quals}</MeshHeading>"
            )
        parts.append("</MeshHeadingList>")
    if a.keywords:
        kws = "".join(f'<Keyword MajorTopicYN="N">{_e(k)}</Keyword>' for k in a.keywords)
        parts.append(f'<KeywordList Owner="NOTNLM">{kws}</KeywordList>')
    entrez = a.entrez or a.created
    parts.append("</MedlineCitation><PubmedData><History>")
    parts.append(_ymd("PubMedPubDate", entrez, ' PubStatus="entrez"', hour=True))
    parts.append(_ymd("PubMedPubDate", a.created, ' PubStatus="pubmed"', hour=True))
    if a.status == "MEDLINE":
        parts.append(_ymd("PubMedPubDate", a.revised or a.created, ' PubStatus="medline"', True))
    parts.append(f"</History><PublicationStatus>{a.publication_status}</PublicationStatus>")
    parts.append(f'<ArticleIdList><ArticleId IdType="pubmed">{a.pmid}</ArticleId>')
    if a.doi:
        parts.append(f'<ArticleId IdType="doi">{_e(a.doi)}</ArticleId>')
    parts.append("</ArticleIdList></PubmedData></PubmedArticle>")
    return "".join(parts)


def render_set(articles: list[str]) -> bytes:
    """Wrap rendered articles in a PubmedArticleSet document, as efetch sends it."""
    body = "\n".join(articles)
    return (
        f'<?xml version="1.0" ?>\n{DOCTYPE}\n<PubmedArticleSet>\n{body}\n</PubmedArticleSet>\n'
    ).encode()
