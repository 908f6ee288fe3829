"""Records survive the JSON column whole."""

from __future__ import annotations

import json
from dataclasses import asdict, fields
from datetime import date

from litwatch.records import (
    AbstractSection,
    ArticleRecord,
    Author,
    Classification,
    CommentCorrection,
    Evidence,
    FindingJudgement,
    MeshHeading,
)


def full_record() -> ArticleRecord:
    return ArticleRecord(
        pmid="1", pmid_version=2, doi="10.1/x", pmcid="PMC1", pii="S1", title="T <i>x</i>",
        vernacular_title="V", abstract_sections=[AbstractSection("METHODS", "METHODS", "m")],
        copyright="c", authors=[Author("Okafor", "Ada", "A", "", "0000-0001-2345-6789", ["U"])],
        journal_title="J", journal_iso="J I", issn="1234-5678", volume="3", issue="4",
        pages="1-9", pub_date_text="2026 Spring", pub_year=2026, pub_date=date(2026, 3, 1),
        electronic_date=date(2026, 2, 1), entrez_date=date(2026, 2, 2),
        create_date=date(2026, 2, 3), publication_types=["Journal Article"],
        mesh=[MeshHeading("Rituximab", "D000069283", True, [("therapeutic use", True)])],
        keywords=["k"], languages=["eng", "jpn"],
        comments_corrections=[CommentCorrection("ErratumIn", "2", "J 2026")],
        registry_ids=["NCT01234567"], databanks={"ClinicalTrials.gov": ["NCT01234567"]},
        status="MEDLINE", publication_status="ppublish",
    )  # fmt: skip


def test_article_record_round_trips_through_json() -> None:
    record = full_record()
    data = json.loads(json.dumps(record.to_dict()))
    assert set(data) == {f.name for f in fields(ArticleRecord)}
    assert ArticleRecord.from_dict(data) == record


def test_classification_round_trips_through_json() -> None:
    c = Classification(
        pmid="1", relevance="core", relevance_score=0.9, design="rct",
        findings=[FindingJudgement("mrss-improvement", "supports", 0.8,
                                   [Evidence("mRSS fell.", [(0, 4)])], "why")],
        numbers={"n": 56}, flags=["multicentre-rct"], priority=0.7, explanation="e",
        reasons=["r"], kb_version="v", model="rules",
    )  # fmt: skip
    data = json.loads(json.dumps(c.to_dict()))
    assert data == json.loads(json.dumps(asdict(c)))
    assert Classification.from_dict(data) == c
