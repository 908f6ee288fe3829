"""The digest's numbers and reasons in a clinician's words (pure functions, no templates)."""

from __future__ import annotations

import functools
from typing import Any

import pytest

from litwatch.digests.wording import (
    Measure,
    duration_text,
    measures_of,
    number_parts,
    p_text,
    signed,
    significant,
    stance_phrase,
    why_sentence,
)
from litwatch.judging.knowledge_file import load_knowledge_base
from litwatch.records import Evidence, FindingJudgement

MINUS = "\u2212"


@functools.cache
def measures() -> dict[str, Measure]:
    return measures_of(load_knowledge_base())


def test_the_shipped_findings_name_their_measures() -> None:
    skin, lung = measures()["mrss-improvement"], measures()["fvc-improvement"]
    assert (skin.key, skin.label, skin.name, skin.unit) == (
        "mrss",
        "mRSS",
        "modified Rodnan skin score",
        "points",
    )
    assert (lung.key, lung.label, lung.unit) == ("fvc", "FVC", "percentage points")
    assert "iga-mrss-correlation" not in measures()  # an association has no measure to move


NUMBER_CASES: list[tuple[dict[str, Any], str]] = [
    (
        {"n": 83, "follow_up": "12 months", "follow_up_months": 12.0, "mrss_change": -0.8,
         "mrss_change_p": "p=0.27", "p_values": ["p=0.27"]},
        f"n = 83 · follow-up 12 months · mRSS {MINUS}0.8 (p = 0.27)",
    ),
    # Each p-value once: those given with a change are not listed again; the others are.
    (
        {"mrss_change": 1.1, "mrss_change_p": "p=0.27", "fvc_change": -3.8,
         "fvc_change_p": "p=0.04", "p_values": ["p=0.27", "p=0.04", "p&lt;.001", "p<0.001"]},
        f"mRSS +1.1 (p = 0.27) · FVC {MINUS}3.8 (p = 0.04) · p < 0.001",
    ),
    # A registry id named again as the trial is shown once; a trial acronym is kept.
    (
        {"registry_ids": ["NCT06409545", "NCT06450376"], "trials": ["NCT06450376", "SCLERO-1"]},
        "NCT06409545, NCT06450376, SCLERO-1",
    ),
    (
        {"n": 56, "mrss_change": -6.3, "mrss_vs": "placebo", "mrss_change_p": "p<0.001",
         "mrss_change_ci": [-9.1, -3.5], "follow_up": "24-week"},
        f"n = 56 · follow-up 24 weeks · mRSS {MINUS}6.3 vs placebo "
        f"(p < 0.001; 95% CI {MINUS}9.1 to {MINUS}3.5)",
    ),
    ({"n": 159, "n_studies": 13, "fvc_change": 0.0}, "n = 159 · 13 studies · FVC 0"),
    ({"follow_up": "1 year"}, "follow-up 1 year"),
    ({}, ""),
]  # fmt: skip


@pytest.mark.parametrize(("numbers", "line"), NUMBER_CASES)
def test_numbers_read_as_a_clinician_writes_them(numbers: dict[str, Any], line: str) -> None:
    parts = number_parts(numbers, measures())
    assert " · ".join(parts) == line
    assert not any("[" in p or "'" in p or "_" in p for p in parts)


def test_an_unknown_number_is_still_shown_once_in_words() -> None:
    parts = number_parts({"dose_mg": [500, 1000], "mrss_change": -2}, measures())
    assert parts == [f"mRSS {MINUS}2", "dose mg 500, 1000"]


@pytest.mark.parametrize(
    ("raw", "text", "below"),
    [
        ("p=0.27", "p = 0.27", False),
        ("p<.001", "p < 0.001", True),
        ("P &lt; 0.05", "p < 0.05", True),
        ("p=0.049", "p = 0.049", True),
        ("p=0.05", "p = 0.05", False),
        ("p>0.1", "p > 0.1", False),
        ("p\u22640.01", "p \u2264 0.01", True),
        ("not a p-value", "not a p-value", None),
    ],
)
def test_p_values_are_spaced_and_judged(raw: str, text: str, below: bool | None) -> None:
    assert p_text(raw) == text
    assert significant(raw) is below


def test_signs_and_durations() -> None:
    assert [signed(v) for v in (-0.8, 1.4, 0, -8.0)] == [f"{MINUS}0.8", "+1.4", "0", f"{MINUS}8"]
    assert duration_text("12-month") == "12 months"
    assert duration_text("two years") == "two years"
    assert duration_text("1 yr") == "1 year"
    assert duration_text("the whole study") == "the whole study"


def judged(stance: str, confidence: float = 0.9, reason: str = "") -> FindingJudgement:
    return FindingJudgement(
        "mrss-improvement", stance, confidence, [Evidence("The mRSS did not change.")], reason
    )


def test_why_a_change_that_is_not_significant_does_not_support() -> None:
    numbers = {"follow_up": "12 months", "mrss_change": -0.8, "mrss_change_p": "p=0.27"}
    why = why_sentence(judged("contradicts"), numbers, measures()["mrss-improvement"], "rct")
    assert why == (
        "The modified Rodnan skin score fell by 0.8 points at 12 months, not significantly "
        "(p = 0.27), so this does not support the finding."
    )


def test_why_a_significant_fall_against_placebo_supports() -> None:
    numbers = {"mrss_change": -6.3, "mrss_vs": "placebo", "mrss_change_p": "p<0.001"}
    why = why_sentence(judged("supports"), numbers, measures()["mrss-improvement"], "rct")
    assert why == (
        "The modified Rodnan skin score fell by 6.3 points more than with placebo, "
        "significantly (p < 0.001), so this supports the finding."
    )


def test_why_an_unsure_judgement_says_may() -> None:
    numbers = {"fvc_change": 1.4, "fvc_change_p": "p=0.27"}
    unsure = FindingJudgement("fvc-improvement", "supports", 0.6)
    why = why_sentence(unsure, numbers, measures()["fvc-improvement"], "cohort")
    assert why == (
        "The forced vital capacity rose by 1.4 percentage points, not significantly "
        "(p = 0.27), so this may support the finding."
    )


@pytest.mark.parametrize(
    ("stance", "reason", "expected"),
    [
        ("contradicts", "contradicts: conclusion: no improve",
         "Its conclusion goes against the finding: see the sentence below."),
        ("supports", "supports: results: improved; title: benefit",
         "Its results support the finding: see the sentence below."),
        ("inconclusive", "inconclusive: other: unclear",
         "The abstract leaves the finding open: see the sentence below."),
        ("supports", "", "The abstract supports the finding: see the sentence below."),
    ],
)  # fmt: skip
def test_why_without_a_number_names_the_part_of_the_abstract(
    stance: str, reason: str, expected: str
) -> None:
    assert why_sentence(judged(stance, reason=reason), {}, None, "cohort") == expected


def test_why_an_open_question_is_addressed() -> None:
    trial = FindingJudgement(
        "multicentre-rct-needed", "addresses", 0.9, [], "addresses: a reported rct (multicentre)"
    )
    assert why_sentence(trial, {}, None, "rct") == (
        "A reported RCT (multicentre), so this addresses the open question."
    )
    protocol = FindingJudgement("multicentre-rct-needed", "addresses", 0.6, [], "")
    assert why_sentence(protocol, {}, None, "trial-protocol") == (
        "A protocol: the trial has not reported yet, so this may address the open question "
        "once it does."
    )


def test_no_why_sentence_speaks_rule_jargon() -> None:
    reasons = ["contradicts: conclusion: no improve", "supports: results: fell, from-to"]
    for stance in ("supports", "contradicts", "inconclusive"):
        for reason in reasons:
            for confidence in (0.5, 0.9):
                why = why_sentence(judged(stance, confidence, reason), {}, None, "cohort")
                assert "from-to" not in why and "no improve" not in why
                assert why[0].isupper() and why.endswith(".")


def test_stance_phrases() -> None:
    assert stance_phrase(judged("contradicts")) == "does not support"
    assert stance_phrase(judged("supports", 0.5)) == "may support (needs review)"
