"""Records of our own for the product tests: two reports of one trial, a retraction notice, an
erratum, and the articles they are about."""

from __future__ import annotations

from datetime import date

from litwatch.records import AbstractSection, ArticleRecord, CommentCorrection


def record(pmid: str, title: str, abstract: str, *types: str, **kw: object) -> ArticleRecord:
    return ArticleRecord(
        pmid=pmid,
        title=title,
        abstract_sections=[AbstractSection("", "", abstract)] if abstract else [],
        journal_title="Journal of Made-up Rheumatology",
        pub_year=2026,
        pub_date=date(2026, 11, 20),
        create_date=date(2026, 11, 24),
        publication_types=list(types or ("Journal Article",)),
        **kw,  # type: ignore[arg-type]
    )


TRIAL = record(
    "92000010",
    "Rituximab or placebo for diffuse skin disease in systemic sclerosis: the SKINRIT "
    "randomised trial (NCT09990001)",
    "In this double-blind randomised trial, 60 patients with diffuse cutaneous systemic "
    "sclerosis received rituximab or placebo. The modified Rodnan skin score fell by 6.2 points "
    "more with rituximab than with placebo at 24 weeks (p<0.001).",
    "Randomized Controlled Trial",
)
FOLLOW_UP = record(
    "92000020",
    "Two years after the SKINRIT trial (NCT09990001): rituximab in systemic sclerosis",
    "Patients of the SKINRIT trial were followed for two years. In the 52 patients given "
    "rituximab, the modified Rodnan skin score fell from 24.0 to 15.1 at 24 months (p<0.001).",
)
TO_RETRACT = record(
    "92000030",
    "Rituximab softens the skin in systemic sclerosis: a cohort of 45 patients",
    "In 45 patients with systemic sclerosis treated with rituximab, the modified Rodnan skin "
    "score fell from 21.0 to 13.5 at 12 months (p<0.001).",
)
RETRACTION = record(
    "92000031",
    "Retraction note: Rituximab softens the skin in systemic sclerosis",
    "The journal retracts this article at the request of the authors: the data could not be "
    "verified.",
    "Retraction of Publication",
    comments_corrections=[CommentCorrection("RetractionOf", "92000030", "J Made-up Rheum. 2026")],
)
ERRATUM = record(
    "92000040",
    "Correction to: Rituximab or placebo for diffuse skin disease in systemic sclerosis: the "
    "SKINRIT randomised trial",
    "In the original article, an author's affiliation was wrong; it is corrected here.",
    "Published Erratum",
    comments_corrections=[CommentCorrection("ErratumFor", "92000010", "J Made-up Rheum. 2026")],
)
