"""Plain data shared by the parser, the store, the classifier and the digest.

Text fields hold *safe markup*: PubMed's inline tags (i, b, sup, sub, u) kept, all else
HTML-escaped, so a template may mark them safe (``litwatch.pubmed.markup.to_plain`` undoes it).
"""

from __future__ import annotations

from dataclasses import dataclass, field
from datetime import date
from typing import Any

# Below this confidence a judgement shows as "needs review" with its sentence, and is not counted.
REVIEW_THRESHOLD = 0.8
NOTICE_REFS = {"RetractionOf": "retraction", "ErratumFor": "erratum"}  # in a notice
NOTICED_REFS = {"RetractionIn": "retraction", "ErratumIn": "erratum"}  # in what it notices


@dataclass(slots=True)
class Author:
    last_name: str = ""
    fore_name: str = ""
    initials: str = ""
    collective_name: str = ""
    orcid: str = ""
    affiliations: list[str] = field(default_factory=list)

    @property
    def display(self) -> str:
        """ "Kuzumi A" style, or the collective name."""
        if self.collective_name:
            return self.collective_name
        return f"{self.last_name} {self.initials}".strip()


@dataclass(slots=True)
class AbstractSection:
    label: str  # "" for an unstructured abstract
    nlm_category: str  # BACKGROUND, METHODS, ... or ""
    text: str  # safe markup


@dataclass(slots=True)
class MeshHeading:
    descriptor: str
    ui: str = ""
    major: bool = False
    qualifiers: list[tuple[str, bool]] = field(default_factory=list)  # (name, major)


@dataclass(slots=True)
class CommentCorrection:
    ref_type: str  # RetractionIn, RetractionOf, ErratumIn, ErratumFor, UpdateIn, CommentOn, ...
    pmid: str = ""
    source: str = ""  # the RefSource citation text


@dataclass(slots=True)
class ArticleRecord:
    """One PubMed citation, as parsed from efetch XML."""

    pmid: str
    pmid_version: int = 1
    doi: str = ""
    pmcid: str = ""
    pii: str = ""
    title: str = ""  # safe markup
    vernacular_title: str = ""
    abstract_sections: list[AbstractSection] = field(default_factory=list)
    copyright: str = ""
    authors: list[Author] = field(default_factory=list)
    journal_title: str = ""
    journal_iso: str = ""
    issn: str = ""
    volume: str = ""
    issue: str = ""
    pages: str = ""
    pub_date_text: str = ""  # as PubMed wrote it: "2023 Feb 15", "1990 Spring", "2013 Jan-Mar"
    pub_year: int | None = None
    pub_date: date | None = None  # best effort: the first day the text can mean
    electronic_date: date | None = None  # ArticleDate DateType="Electronic"
    entrez_date: date | None = None  # PubmedData/History PubStatus="entrez"
    create_date: date | None = None  # PubmedData/History PubStatus="pubmed"
    publication_types: list[str] = field(default_factory=list)
    mesh: list[MeshHeading] = field(default_factory=list)
    keywords: list[str] = field(default_factory=list)
    languages: list[str] = field(default_factory=list)
    comments_corrections: list[CommentCorrection] = field(default_factory=list)
    registry_ids: list[str] = field(default_factory=list)  # DataBankList accession numbers
    databanks: dict[str, list[str]] = field(default_factory=dict)  # DataBankName -> numbers
    status: str = ""  # MedlineCitation/@Status
    publication_status: str = ""  # PubmedData/PublicationStatus (ppublish, epublish, aheadofprint)

    @property
    def abstract(self) -> str:
        """The whole abstract as safe markup, labelled sections as 'LABEL: text' paragraphs."""
        return "\n".join(
            f"{s.label}: {s.text}" if s.label else s.text for s in self.abstract_sections
        )

    @property
    def retracted(self) -> bool:
        refs = (c.ref_type for c in self.comments_corrections)
        return "Retracted Publication" in self.publication_types or "RetractionIn" in refs

    @property
    def is_retraction_notice(self) -> bool:
        return "Retraction of Publication" in self.publication_types or any(
            c.ref_type == "RetractionOf" for c in self.comments_corrections
        )

    @property
    def noticed_pmids(self) -> dict[str, str]:
        """PMID -> 'retraction' | 'erratum' for each article this notice retracts or corrects."""
        return {
            c.pmid: NOTICE_REFS[c.ref_type]
            for c in self.comments_corrections
            if c.ref_type in NOTICE_REFS and c.pmid and c.pmid != self.pmid
        }

    @property
    def is_notice(self) -> bool:
        """A retraction notice or a published erratum: it reports no study of its own."""
        erratum = "Published Erratum" in self.publication_types
        return erratum or self.is_retraction_notice or "erratum" in self.noticed_pmids.values()

    def to_dict(self) -> dict[str, Any]:
        """JSON-ready dict (dates as ISO strings). Written out by hand: it runs for every
        stored record, and ``dataclasses.asdict`` deep-copies, which is several times slower."""
        d = {name: getattr(self, name) for name in _SCALARS}
        for key in _DATES:
            value = getattr(self, key)
            d[key] = value.isoformat() if value is not None else None
        d["abstract_sections"] = [
            {"label": x.label, "nlm_category": x.nlm_category, "text": x.text}
            for x in self.abstract_sections
        ]
        d["authors"] = [
            {
                "last_name": a.last_name,
                "fore_name": a.fore_name,
                "initials": a.initials,
                "collective_name": a.collective_name,
                "orcid": a.orcid,
                "affiliations": list(a.affiliations),
            }
            for a in self.authors
        ]
        d["mesh"] = [
            {
                "descriptor": m.descriptor,
                "ui": m.ui,
                "major": m.major,
                "qualifiers": [[q, major] for q, major in m.qualifiers],
            }
            for m in self.mesh
        ]
        d["comments_corrections"] = [
            {"ref_type": c.ref_type, "pmid": c.pmid, "source": c.source}
            for c in self.comments_corrections
        ]
        for key in _LISTS:
            d[key] = list(getattr(self, key))
        d["databanks"] = {k: list(v) for k, v in self.databanks.items()}
        return d

    @classmethod
    def from_dict(cls, d: dict[str, Any]) -> ArticleRecord:
        """Inverse of ``to_dict``."""
        d = dict(d)
        for key in ("pub_date", "electronic_date", "entrez_date", "create_date"):
            if d.get(key):
                d[key] = date.fromisoformat(d[key])
        d["authors"] = [Author(**a) for a in d.get("authors", [])]
        d["abstract_sections"] = [AbstractSection(**s) for s in d.get("abstract_sections", [])]
        d["mesh"] = [
            MeshHeading(
                descriptor=m["descriptor"],
                ui=m.get("ui", ""),
                major=m.get("major", False),
                qualifiers=[(q[0], bool(q[1])) for q in m.get("qualifiers", [])],
            )
            for m in d.get("mesh", [])
        ]
        d["comments_corrections"] = [
            CommentCorrection(**c) for c in d.get("comments_corrections", [])
        ]
        return cls(**d)


_DATES = ("pub_date", "electronic_date", "entrez_date", "create_date")
_LISTS = ("publication_types", "keywords", "languages", "registry_ids")
_SCALARS = (
    "pmid", "pmid_version", "doi", "pmcid", "pii", "title", "vernacular_title", "copyright",
    "journal_title", "journal_iso", "issn", "volume", "issue", "pages", "pub_date_text",
    "pub_year", "status", "publication_status",
)  # fmt: skip


@dataclass(slots=True)
class ParsedBatch:
    """What one efetch answer holds."""

    articles: list[ArticleRecord] = field(default_factory=list)
    deleted_pmids: list[str] = field(default_factory=list)
    book_pmids: list[str] = field(default_factory=list)  # PubmedBookArticle: skipped, logged
    failed_pmids: list[str] = field(default_factory=list)  # "" when the PMID itself was unreadable
    errors: dict[str, str] = field(default_factory=dict)  # failed PMID -> why it failed


@dataclass(slots=True)
class Evidence:
    sentence: str  # plain text of the sentence
    spans: list[tuple[int, int]] = field(default_factory=list)  # matched [start, end) in it


@dataclass(slots=True)
class FindingJudgement:
    """How one article bears on one known finding."""

    finding_id: str
    stance: str  # supports | contradicts | inconclusive | addresses
    confidence: float
    evidence: list[Evidence] = field(default_factory=list)
    reason: str = ""  # why this stance, in one line

    @property
    def needs_review(self) -> bool:
        """Too unsure to show as a plain label (confidence below REVIEW_THRESHOLD)."""
        return self.confidence < REVIEW_THRESHOLD


@dataclass(slots=True)
class Classification:
    """Everything the classifier says about one article, with its reasons."""

    pmid: str
    relevance: str  # core | related | off
    relevance_score: float  # in [0, 1]
    design: str  # one of judging.knowledge.DESIGNS: rct, non-randomised-trial,
    #              meta-analysis, systematic-review, cohort, case-series, case-report, review,
    #              trial-protocol, guideline, other
    findings: list[FindingJudgement] = field(default_factory=list)
    numbers: dict[str, Any] = field(default_factory=dict)  # n, follow_up, mrss_change, ...
    flags: list[str] = field(default_factory=list)  # retracted, erratum, retraction-notice,
    #        multicentre-rct, contradicts-finding, same-trial:<pmid>
    priority: float = 0.0
    explanation: str = ""  # one line a clinician can read
    reasons: list[str] = field(default_factory=list)  # the whole reasoning, for `explain`
    kb_version: str = ""  # hash of the knowledge base used
    model: str = "rules"  # rules | rules+learned
    rules_version: str = ""  # judging.rules.RULES_VERSION it was made with ("": older rules)

    def to_dict(self) -> dict[str, Any]:
        """JSON-ready dict, written out by hand for speed (see ArticleRecord.to_dict)."""
        return {
            "pmid": self.pmid,
            "relevance": self.relevance,
            "relevance_score": self.relevance_score,
            "design": self.design,
            "findings": [
                {
                    "finding_id": j.finding_id,
                    "stance": j.stance,
                    "confidence": j.confidence,
                    "evidence": [
                        {"sentence": e.sentence, "spans": [list(x) for x in e.spans]}
                        for e in j.evidence
                    ],
                    "reason": j.reason,
                }
                for j in self.findings
            ],
            "numbers": dict(self.numbers),
            "flags": list(self.flags),
            "priority": self.priority,
            "explanation": self.explanation,
            "reasons": list(self.reasons),
            "kb_version": self.kb_version,
            "model": self.model,
            "rules_version": self.rules_version,
        }

    @classmethod
    def from_dict(cls, d: dict[str, Any]) -> Classification:
        d = dict(d)
        d["findings"] = [
            FindingJudgement(
                finding_id=f["finding_id"],
                stance=f["stance"],
                confidence=f["confidence"],
                evidence=[
                    Evidence(e["sentence"], [tuple(s) for s in e.get("spans", [])])  # type: ignore[misc]
                    for e in f.get("evidence", [])
                ],
                reason=f.get("reason", ""),
            )
            for f in d.get("findings", [])
        ]
        return cls(**d)
