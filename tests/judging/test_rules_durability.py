"""Durability, results in part of the patients, notices and how sure a judgement is."""

from __future__ import annotations

import pytest

from litwatch.judging.rules.durability import follow_up_times
from tests.helpers.classify import classify, stances

TITLE = "Rituximab in systemic sclerosis: a cohort study"
INTRO = "We studied 40 patients with systemic sclerosis treated with rituximab. "


@pytest.mark.parametrize(
    ("text", "months"),
    [
        ("a woman aged 47 years was treated", []),  # an age
        ("patients 52 years of age", []),
        ("a disease duration of 11 years", []),
        ("FVC was measured at year 2", [24.0]),
        ("followed for 3 years", [36.0]),
    ],
)
def test_follow_up_times_are_not_ages_or_disease_histories(text: str, months: list[float]) -> None:
    assert [t[2] for t in follow_up_times(text)] == months


@pytest.mark.parametrize(
    ("sentence", "expected"),
    [
        # The measure's own change at a long time ties the benefit to the time.
        ("At 4 years the mRSS had decreased from 24.1 to 13.6 (p<0.001).", "supports"),
        # Numbers at a long time point with no significance: no clear lasting benefit.
        ("FVC % predicted went from 72.0 at baseline to 75.5 at year 1 (p=0.2) and 70.1 at "
         "year 3 (p=0.09).", "inconclusive"),
        # Steadiness at a long time is not a lasting benefit, p-value or not.
        ("FVC did not decline over 2 years (change -0.6%, p=0.70).", None),
        # An age is no follow-up.
        ("A woman aged 47 years had her lung disease successfully managed.", None),
    ],
)  # fmt: skip
def test_a_benefit_at_a_long_time(sentence: str, expected: str | None) -> None:
    assert stances(classify(TITLE, INTRO + sentence)).get("long-term-benefit") == expected


def test_a_long_term_title_makes_the_conclusion_a_lasting_benefit() -> None:
    abstract = (
        "Methods: We followed 31 patients with SSc treated with rituximab for a mean of 9 "
        "years. Results: At 6 months the mRSS fell significantly. Conclusions: Rituximab is "
        "an effective treatment for the skin in SSc."
    )
    framed = classify("Long-term outcomes of rituximab in systemic sclerosis", abstract)
    plain = classify("Outcomes of rituximab in systemic sclerosis", abstract)
    judged = {j.finding_id: j for j in framed.findings}
    assert judged["long-term-benefit"].stance == "supports"
    assert judged["long-term-benefit"].confidence < 0.8  # inferred from the title
    assert "long-term-benefit" not in stances(plain)


@pytest.mark.parametrize(
    ("sentence", "expected"),
    [
        ("Skin thickening improved in two of the seven patients.", "inconclusive"),
        ("The mRSS improved significantly only in a subset with early disease.", "inconclusive"),
        ("FVC improved in 30% of patients.", "inconclusive"),
        ("Skin thickening improved in 12 of 15 patients.", "supports"),
        ("The mRSS improved significantly in all patients (p<0.01).", "supports"),
    ],
)
def test_a_result_in_part_of_the_patients_is_mixed(sentence: str, expected: str) -> None:
    finding = "fvc-improvement" if "FVC" in sentence else "mrss-improvement"
    assert stances(classify(TITLE, INTRO + sentence)).get(finding) == expected


def test_an_erratum_is_judged_on_no_finding() -> None:
    c = classify(
        "Erratum: Rituximab improves skin fibrosis in systemic sclerosis",
        "In the original article, the mRSS decreased from 22 to 15 with rituximab in SSc.",
    )
    assert c.findings == []


def test_a_reversal_of_worsening_is_improvement() -> None:
    c = classify(
        "Rituximab in a man with systemic sclerosis: a case report",
        "We describe a man with diffuse SSc treated with rituximab. There was a clear reversal "
        "of the progression of skin thickening.",
    )
    assert stances(c).get("mrss-improvement") == "supports"


def test_a_waned_benefit_and_a_course_count_stay_below_the_review_line() -> None:
    courses = classify(TITLE, INTRO + "After 2 courses, skin thickening improved significantly.")
    conf = {j.finding_id: j.confidence for j in courses.findings}
    assert conf["long-term-benefit"] < 0.8  # when it was seen, not that it lasted
    faded = classify(TITLE, INTRO + "The skin response waned by 36 months.")
    assert stances(faded).get("long-term-benefit") == "inconclusive"


def test_a_narrative_review_is_below_the_review_line() -> None:
    c = classify(
        "Rituximab in systemic sclerosis: a narrative review",
        "This review summarises the use of rituximab in SSc. In the studies reviewed, the mRSS "
        "improved significantly after rituximab (p<0.001).",
    )
    assert all(j.confidence < 0.8 for j in c.findings)
