"""Numbers, trials, flags, priority and the one-line explanation."""

from __future__ import annotations

from datetime import date

import pytest

from litwatch.judging.rules import classify_article, trial_keys
from litwatch.records import CommentCorrection
from tests.helpers.classify import article, classify, kb

DESIRES = (
    "Rituximab in patients with systemic sclerosis (DESIRES): a double-blind, "
    "investigator-initiated, randomised, placebo-controlled trial"
)
DESIRES_ABSTRACT = (
    "METHODS: This trial was done at four hospitals in Japan. 56 patients were randomly "
    "assigned to rituximab or placebo. RESULTS: The absolute change in mRSS was -6.30 in the "
    "rituximab group versus 2.14 in the placebo group (difference -8.44; p<0.0001) at 24 "
    "weeks. FVC % predicted increased by 0.09 with rituximab and fell by 2.87 with placebo. "
    "Trial registration: UMIN000019131."
)


def test_numbers_of_a_trial() -> None:
    c = classify(DESIRES, DESIRES_ABSTRACT, types=("Randomized Controlled Trial",))
    assert c.numbers["n"] == 56
    assert c.numbers["follow_up"] == "24 weeks"
    assert c.numbers["mrss_change"] == -6.3  # the rituximab arm's own change
    assert c.numbers["fvc_change"] == 0.09
    assert "p<0.0001" in c.numbers["p_values"]
    assert c.numbers["registry_ids"] == ["UMIN000019131"]
    assert c.numbers["trials"] == ["DESIRES"]
    assert "multicentre-rct" in c.flags
    assert c.explanation.startswith(
        "RCT, n=56: mRSS fell 6.3 at 24 weeks -> supports mrss-improvement"
    )


def test_difference_against_placebo() -> None:
    abstract = (
        "56 patients were randomly assigned. The mRSS difference between groups was -8.4 in "
        "favour of rituximab compared with placebo at 24 weeks."
    )
    c = classify(DESIRES, abstract)
    assert c.numbers["mrss_change"] == -8.4 and c.numbers["mrss_vs"] == "placebo"
    assert "mRSS fell 8.4 more than placebo at 24 weeks" in c.explanation


def test_numbers_from_before_and_after() -> None:
    c = classify(
        "Rituximab in SSc",
        "Forty-three patients received rituximab. At 6 months the mRSS decreased from 22.4 to "
        "14.1 and FVC % predicted improved by 5.6%. Median follow-up was 3 years. "
        "Ten studies were cited.",
    )
    assert c.numbers["n"] == 43
    assert c.numbers["mrss_change"] == -8.3
    assert c.numbers["fvc_change"] == 5.6
    assert c.numbers["follow_up_months"] == 36.0
    assert c.numbers["n_studies"] == 10


def test_same_trial_flag_and_trial_keys() -> None:
    follow_up = article(
        "Long-term outcomes after rituximab: follow-up of the DESIRES trial",
        "We followed 29 patients with systemic sclerosis who took part in the DESIRES trial "
        "(UMIN000019131). The mRSS improved after repeated courses.",
        pmid="36790786",
    )
    c = classify_article(follow_up, kb(), known_trials={"DESIRES": "34000001"})
    assert "same-trial:34000001" in c.flags
    assert trial_keys(follow_up, c) == ["UMIN000019131", "DESIRES"]
    alone = classify_article(follow_up, kb(), known_trials={"DESIRES": "36790786"})
    assert not any(f.startswith("same-trial") for f in alone.flags)


def test_registry_ids_from_the_databank_list() -> None:
    a = article("Rituximab in SSc", "Patients with SSc received rituximab.")
    a.registry_ids = ["NCT01862926"]
    c = classify_article(a, kb())
    assert trial_keys(a, c) == ["NCT01862926"]


def test_retraction_erratum_and_contradiction_flags() -> None:
    a = article("Rituximab in systemic sclerosis", "In 20 patients with SSc on rituximab, "
                "FVC % predicted declined from 72 to 66 over 12 months.")  # fmt: skip
    a.comments_corrections = [
        CommentCorrection("RetractionIn", "999"),
        CommentCorrection("ErratumIn", "998"),
    ]
    c = classify_article(a, kb())
    assert {"retracted", "erratum", "contradicts-finding"} <= set(c.flags)
    assert c.explanation.startswith("[RETRACTED]")
    notice = classify(
        "Retraction note: rituximab in systemic sclerosis",
        "This article has been retracted; rituximab improved mRSS was not supported.",
        types=("Retraction of Publication",),
    )
    assert "retraction-notice" in notice.flags
    assert notice.findings == []


def test_priority_ranks_strong_recent_contradictions_high() -> None:
    today = date(2026, 11, 25)
    rct = article(DESIRES, DESIRES_ABSTRACT, types=("Randomized Controlled Trial",))
    rct.pub_date = date(2026, 10, 1)
    case = article(
        "Rituximab in systemic sclerosis: a case report",
        "We report a 40-year-old woman with SSc whose skin improved after rituximab.",
        types=("Case Reports",),
    )
    case.pub_date = date(2016, 1, 1)
    off = article("Rituximab in pemphigus", "Rituximab induced remission in 80 patients.")
    scores = [classify_article(a, kb(), today=today).priority for a in (rct, case, off)]
    assert scores[0] > scores[1] > scores[2]
    assert all(0.0 <= s <= 1.0 for s in scores)


def test_every_label_has_its_reason() -> None:
    c = classify(DESIRES, DESIRES_ABSTRACT, types=("Randomized Controlled Trial",))
    text = "\n".join(c.reasons)
    assert "design rct" in text and "relevance core" in text and "mrss-improvement" in text
    assert c.kb_version == kb().version and c.model == "rules"
    assert c.to_dict()["findings"][0]["evidence"][0]["sentence"]


def test_a_count_of_patients_is_not_a_change_of_the_measure() -> None:
    abstract = (
        "RESULTS: FVC did not improve and decreased in 49 of 132 patients (p=0.01). In 12/40 "
        "patients the FVC declined."
    )
    c = classify("Rituximab in systemic sclerosis lung disease: a cohort study", abstract)
    assert c.numbers.get("fvc_change") is None
    assert c.numbers.get("n") == 132
    assert "rose" not in c.explanation and "fell" not in c.explanation


# A table of number cases, in our own words: (abstract, key, expected); None: no change read.
CHANGE_CASES = [
    # a baseline beside a follow-up is a change, never the baseline
    ("Thirty patients received rituximab. The mRSS was 26.6 at baseline and 25.4 after one "
     "year.", "mrss_change", -1.2),
    ("Thirty patients received rituximab. The mRSS went from 20.2 to 19.4 at 12 months.",
     "mrss_change", -0.8),
    ("Thirty patients received rituximab. FVC % predicted went from 68.0 to 71.5 at "
     "12 months.", "fvc_change", 3.5),
    ("Thirty patients received rituximab. Baseline mRSS was 24 and 12 months later it was 18.",
     "mrss_change", -6.0),
    ("Thirty patients received rituximab. The mRSS was 26.6 at baseline.", "mrss_change", None),
    # spreads, medians and ranges around the two values
    ("Twenty patients were treated. Skin score fell from 18.5 ± 8.1 down to 14.5 ± 6.6 after "
     "six months.", "mrss_change", -4.0),
    ("Twenty patients were treated. The median mRSS declined from 21 (IQR 15-27) to 13 "
     "(9-18).", "mrss_change", -8.0),
    ("Twenty patients were treated. FVC was 74% (range 52-96) at baseline and 77% (55-99) "
     "at one year.", "fvc_change", 3.0),
    # a stated change, signed by the measure
    ("Fifteen patients received rituximab. The mRSS decreased by 4.2 points.", "mrss_change",
     -4.2),
    ("Fifteen patients received rituximab. The mRSS improved by 5 points.", "mrss_change", -5.0),
    ("Fifteen patients received rituximab. FVC % predicted improved by 3.1.", "fvc_change", 3.1),
    ("Fifteen patients received rituximab. The mean change in mRSS was -6.3 (95% CI -9.1 to "
     "-3.5).", "mrss_change", -6.3),
    ("Fifteen patients received rituximab. We saw a 4.5% increase in FVC.", "fvc_change", 4.5),
    # not a change: shares of patients, thresholds, litres, relative change of a score
    ("Forty patients received rituximab. The mRSS improved in 45% of patients.",
     "mrss_change", None),
    ("Forty patients received rituximab. FVC declined in 12 of 40 patients.", "fvc_change",
     None),
    ("Forty patients received rituximab. The mRSS improved by >= 5 points in 18 patients.",
     "mrss_change", None),
    ("Forty patients received rituximab. FVC increased by 120 ml.", "fvc_change", None),
    ("Forty patients received rituximab. FVC rose by 0.15 L (4.1% predicted).", "fvc_change",
     None),
    ("Forty patients received rituximab. The mRSS decreased by 30%.", "mrss_change", None),
    # several measures in one sentence keep their own numbers
    ("Twenty-two patients were treated. The mRSS fell from 22 to 15 and FVC rose from 70 to "
     "74.", "mrss_change", -7.0),
    ("Twenty-two patients were treated. The mRSS fell from 22 to 15 and FVC rose from 70 to "
     "74.", "fvc_change", 4.0),
    ("Twenty-two patients were treated. FVC was stable while the mRSS fell by 6.", "fvc_change",
     None),
    ("Twenty-two patients were treated. DLCO rose from 50 to 58 while FVC stayed unchanged.",
     "fvc_change", None),
    ("Twenty-two patients were treated. The mRSS fell by 3.2 and DLCO rose by 4.", "mrss_change",
     -3.2),
    ("Twenty-two patients were treated. The mRSS and FVC % predicted changed by -5.1 and 2.3, "
     "respectively.", "fvc_change", 2.3),
    ("Twenty-two patients were treated. The mRSS and FVC improved by 5.1 and 2.3, "
     "respectively.", "mrss_change", -5.1),
    # other ways of writing two values
    ("Twelve patients were treated. FVC rose to 71% from 66%.", "fvc_change", 5.0),
    ("Twelve patients were treated. The mRSS fell significantly (27.3 vs 19.6; p < 0.001).",
     "mrss_change", -7.7),
    ("Twelve patients were treated. The mRSS was 27 before and 20 after rituximab.",
     "mrss_change", -7.0),
    ("Twelve patients were treated. We saw an improvement in FVC of 4.1% at 12 months.",
     "fvc_change", 4.1),
    ("Twelve patients were treated. FVC improved by 5.5% of predicted.", "fvc_change", 5.5),
    # a spread in % after the SD, words between the two values, levels written in brackets
    ("Twenty patients received rituximab. The percent predicted FVC rose from 72.1 ± 10.2% to "
     "76.1 ± 11.0% at 1 year.", "fvc_change", 4.0),
    ("Twenty patients received rituximab. FVC changed from 70.0 ± 5.0% at baseline to 73.0 ± "
     "6.0% at 12 months.", "fvc_change", 3.0),
    ("Twenty patients received rituximab. FVC increased from 70.0% before the first infusion "
     "to 73.0% one year later.", "fvc_change", 3.0),
    ("Twenty patients received rituximab. FVC increased from 70.0% pre-rituximab to 73.0% "
     "post-rituximab.", "fvc_change", 3.0),
    ("We treated 20 patients. FVC rose significantly from baseline (70.0%) to 12 months "
     "(73.0%).", "fvc_change", 3.0),
    ("Twenty patients received rituximab. Lung function improved: FVC 70.0% vs 73.0%, DLCO "
     "50% vs 52%.", "fvc_change", 3.0),
    ("Twenty patients received rituximab. Mean FVC at 12 months was 73% compared with 70% at "
     "baseline.", "fvc_change", 3.0),
    ("Twenty patients received rituximab. FVC was 73% at 12 months versus 70% at baseline.",
     "fvc_change", 3.0),
    ("Twenty patients received rituximab. The mRSS was 14 after 6 months compared with 22 "
     "before treatment.", "mrss_change", -8.0),
    # the change written before the measure, or after a span of time
    ("Twenty patients received rituximab. An increase of 3.0% in FVC was observed.",
     "fvc_change", 3.0),
    ("Twenty patients received rituximab. The mean absolute change in FVC% predicted from "
     "baseline to 12 months was 3.0.", "fvc_change", 3.0),
    ("We treated 20 patients with rituximab and 20 with cyclophosphamide. The FVC change at 6 "
     "months was +3.0% with rituximab and +1.0% with cyclophosphamide.", "fvc_change", 3.0),
    ("Twenty patients received rituximab. FVC worsened by 3%.", "fvc_change", -3.0),
    ("Twenty patients received rituximab. The skin score worsened by 4 points.", "mrss_change",
     4.0),
    # a threshold patients crossed is no change of the mean; nor is a level reached
    ("Twenty patients received rituximab. Eleven of the patients (55%) showed an FVC increase "
     "of at least 10%.", "fvc_change", None),
    ("We treated 20 patients. ILD progression, defined as an FVC decline of 10% or more, "
     "occurred in 2 patients. Mean FVC rose from 70% to 73% at 1 year.", "fvc_change", 3.0),
    ("Twenty patients received rituximab. The mRSS fell to 12 at one year.", "mrss_change",
     None),
    # two levels in brackets after the measure; a level at baseline and the one it moved to
    ("Twenty patients received rituximab. Significant improvement was seen in FVC (65% to "
     "70%, p = 0.01).", "fvc_change", 5.0),
    ("Twenty patients received rituximab. mRSS (20 vs 12) and FVC (65% vs 70%) improved.",
     "mrss_change", -8.0),
    ("Twenty patients received rituximab. mRSS (20 vs 12) and FVC (65% vs 70%) improved.",
     "fvc_change", 5.0),
    ("Twenty patients received rituximab. FVC was 65% at baseline, rising to 70% at 12 "
     "months.", "fvc_change", 5.0),
    ("Twenty patients received rituximab. The FVC, which was 65% at baseline, increased to "
     "70% at 12 months.", "fvc_change", 5.0),
    ("Twenty patients received rituximab. FVC was 70.0% pre-RTX and 73.0% post-RTX.",
     "fvc_change", 3.0),
    ("Twenty patients received rituximab. Percent-predicted FVC went up by 5.", "fvc_change",
     5.0),
    ("Twenty patients received rituximab. FVC % predicted increased (65 ± 10 vs. 70 ± 12; "
     "p = 0.03).", "fvc_change", 5.0),
    ("Twenty patients received rituximab. In the rituximab group, mean FVC % predicted "
     "increased by 5.0 (SD 6.1), compared with a decrease of 1.0 in controls.", "fvc_change",
     5.0),
    # a baseline level in one sentence and the level reached in a later one
    ("We treated 20 patients. RESULTS: Baseline FVC was 70% (SD 10). At 12 months, FVC had "
     "increased to 73% (SD 11).", "fvc_change", 3.0),
    ("We treated 20 patients. RESULTS: Patients had a mean FVC of 70% at baseline. At 12 "
     "months, FVC had increased to 73%.", "fvc_change", 3.0),
    ("We treated 20 patients. RESULTS: The mean mRSS at baseline was 26. After two courses "
     "the mRSS had fallen to 17.", "mrss_change", -9.0),
    ("We treated 20 patients. RESULTS: Baseline FVC was 70%. FVC rose in most patients.",
     "fvc_change", None),
    # the rituximab arm's own change, not the placebo arm's
    ("Sixty patients were randomised. The change in mRSS was -6.3 in the rituximab group "
     "versus 2.1 in the placebo group.", "mrss_change", -6.3),
]  # fmt: skip


@pytest.mark.parametrize(("abstract", "key", "expected"), CHANGE_CASES)
def test_a_table_of_changes(abstract: str, key: str, expected: float | None) -> None:
    c = classify("Rituximab in systemic sclerosis: an open-label study", abstract)
    got = c.numbers.get(key)
    if expected is None:
        assert got is None, c.numbers
    else:
        assert got is not None and abs(got - expected) <= 0.05, c.numbers


def test_a_difference_against_placebo_is_marked_and_keeps_its_p_and_ci() -> None:
    c = classify(
        DESIRES,
        "Sixty patients were randomised. At 24 weeks the difference in mRSS between the groups "
        "was -3.1 (95% CI -5.0 to -1.2; p = 0.002) in favour of rituximab over placebo.",
    )
    assert c.numbers["mrss_change"] == -3.1 and c.numbers["mrss_vs"] == "placebo"
    assert c.numbers["mrss_change_ci"] == [-5.0, -1.2]
    assert c.numbers["mrss_change_p"] == "p=0.002"
    assert "mRSS fell 3.1 more than placebo (p=0.002)" in c.explanation


def test_each_change_keeps_its_own_p() -> None:
    c = classify(
        "Rituximab in systemic sclerosis: an open-label study",
        "Eighteen patients received rituximab. The mRSS went from 20.2 to 19.4 (p = 0.27), "
        "while FVC % predicted rose from 71 to 75 (p = 0.03).",
    )
    assert c.numbers["mrss_change"] == -0.8 and c.numbers["mrss_change_p"] == "p=0.27"
    assert c.numbers["fvc_change"] == 4.0 and c.numbers["fvc_change_p"] == "p=0.03"
    assert c.numbers["p_values"] == ["p=0.27", "p=0.03"]  # the old list stays as it was
    assert "FVC rose 4 (p=0.03)" in c.explanation


def test_a_listed_change_takes_its_own_p() -> None:
    c = classify(
        "Rituximab in systemic sclerosis: an open-label study",
        "Twenty patients were treated. The mRSS and FVC improved by 5.1 and 2.3 points, "
        "respectively (p = 0.01 and p = 0.2).",
    )
    assert c.numbers["mrss_change_p"] == "p=0.01" and c.numbers["fvc_change_p"] == "p=0.2"


# (abstract, n): n is the patients given rituximab (LABELS.md "Numbers").
PATIENT_CASES = [
    # A 1:1 allocation ratio is no count of patients.
    ("In a trial at 3 centres, 64 adults with SSc were randomly assigned 1:1 to rituximab or "
     "placebo.", 64),
    ("Forty-five patients were allocated 2:1 to rituximab or to standard care.", 45),
    ("We report a 47-year-old woman with diffuse SSc whose lung disease responded to "
     "rituximab.", 1),
    ("Our patient, a man aged 61 years with SSc, received two courses of rituximab.", 1),
    ("Three patients with SSc received rituximab; we describe their course.", 3),
    ("Four patients with SSc received rituximab. Infusion reactions occurred in 6 patients "
     "over the courses given.", 4),
    ("We studied 120 patients with SSc: 40 rituximab-treated patients and 80 treated with "
     "mycophenolate.", 40),
    ("Patients received rituximab (n = 25) or tocilizumab (n = 31).", 25),
    ("A total of 150 patients were included. Of 60 patients in the rituximab cohort, 20 "
     "also took mycophenolate.", 60),
    ("After matching, 180 patients remained, 90 in each treatment group.", 90),
    ("Patients with lung disease due to SSc (n = 14), myositis (n = 9) or Sjogren syndrome "
     "(n = 5) were given rituximab.", 28),
    ("Patients with SSc (n = 30) and healthy controls (n = 20) were compared after rituximab.",
     30),
    ("Rituximab was given to 31 systemic sclerosis interstitial lung disease (SSc-ILD) "
     "patients.", 31),
    ("Over 12 months, patients given rituximab improved.", None),
]  # fmt: skip


@pytest.mark.parametrize(("abstract", "n"), PATIENT_CASES)
def test_a_table_of_patient_counts(abstract: str, n: int | None) -> None:
    c = classify("Rituximab in systemic sclerosis", abstract)
    assert c.numbers.get("n") == n, c.numbers


# More counts in the wording of real abstracts, in our own words: screened is not treated,
# a subgroup or an adverse-event count is not the study, a review gives the patients pooled.
MORE_PATIENT_CASES = [
    (
        "Of 45 patients screened, 20 were enrolled and treated with rituximab.",
        20,
    ),
    (
        "We screened 45 patients; 20 met the criteria and received rituximab.",
        20,
    ),
    (
        "Twenty patients were included. Of these, 18 completed 12 months of follow-up.",
        20,
    ),
    (
        "Twenty-four patients received rituximab. Eight patients (33%) had an infection.",
        24,
    ),
    (
        "Twenty-four patients received rituximab. Serious infections were seen in 30 patients"
        " of the wider registry.",
        24,
    ),
    (
        "We identified 14 SSc patients who received RTX between 2008 and 2018. Ten were women.",
        14,
    ),
    (
        "Fourteen patients with SSc were treated with two 1 g infusions of rituximab. Of "
        "them, 9 had ILD.",
        14,
    ),
    (
        "Thirty patients were treated with rituximab and 30 with mycophenolate mofetil.",
        30,
    ),
    (
        "Patients treated with rituximab (n = 25) were compared with those given "
        "cyclophosphamide (n = 40).",
        25,
    ),
    (
        "We compared 25 rituximab-treated patients with 50 matched controls not given rituximab.",
        25,
    ),
    (
        "Among 250 patients with SSc in the cohort, 25 had received rituximab.",
        25,
    ),
    (
        "The registry held 1,200 patients with SSc; rituximab had been given to 25 of them.",
        25,
    ),
    (
        "Rituximab was given to 25 patients with SSc. The mean age was 50 years and 20 "
        "patients were female.",
        25,
    ),
    (
        "Twelve patients with diffuse SSc received rituximab. At 6 months, mRSS had improved "
        "in 10 patients.",
        12,
    ),
    (
        "Twelve patients with diffuse SSc received rituximab. Data were complete for 11 "
        "patients at 24 months.",
        12,
    ),
    (
        "Forty patients were randomised to rituximab and 40 to placebo.",
        40,
    ),
    (
        "Eighty patients were randomised: 40 to rituximab and 40 to placebo.",
        40,
    ),
    (
        "In all, 102 patients were randomised 1:1 to rituximab (n = 51) or cyclophosphamide "
        "(n = 51).",
        51,
    ),
    (
        "Eight patients with SSc-ILD were given rituximab. Two patients died during follow-up.",
        8,
    ),
    (
        "We describe eight patients with SSc treated with rituximab at our centre.",
        8,
    ),
    (
        "A series of eight patients with SSc who received rituximab is described.",
        8,
    ),
    (
        "Thirty-three consecutive SSc patients starting rituximab were followed.",
        33,
    ),
    (
        "We retrospectively analysed 33 consecutive patients with SSc who received at least "
        "one course of rituximab.",
        33,
    ),
    (
        "The study population consisted of 33 patients with SSc treated with RTX.",
        33,
    ),
    (
        "RTX was administered to 33 SSc patients.",
        33,
    ),
    (
        "The study included 33 patients (27 women) with SSc who were treated with rituximab.",
        33,
    ),
    (
        "A total of 33 patients with SSc received rituximab; 15 had ILD and 12 had diffuse skin.",
        33,
    ),
    (
        "In total, 33 patients (mean age 48 years) were treated with RTX; 9 received more "
        "than two courses.",
        33,
    ),
    (
        "Data from 33 patients with SSc treated with rituximab in 6 centres were analysed.",
        33,
    ),
    (
        "Thirty-three patients with SSc (diffuse in 20, limited in 13) received rituximab.",
        33,
    ),
    (
        "Of the 33 patients treated with rituximab, 20 had diffuse SSc.",
        33,
    ),
    (
        "Rituximab-treated patients (33) were compared with 66 patients on conventional therapy.",
        33,
    ),
    (
        "Thirty-three patients received rituximab. Hypogammaglobulinaemia developed in 5 of "
        "the 33 patients and 2 patients discontinued treatment.",
        33,
    ),
    (
        "The number of RTX-treated patients was 14.",
        14,
    ),
    (
        "A woman in her forties with diffuse SSc was given rituximab for progressive lung disease.",
        1,
    ),
    (
        "We present a patient with SSc and refractory myositis who responded to rituximab.",
        1,
    ),
    (
        "This report concerns a 35-year-old male with SSc.",
        1,
    ),
    (
        "A 52-year old female with SSc-ILD received rituximab.",
        1,
    ),
    (
        "Two cases of SSc treated with rituximab are reported.",
        2,
    ),
    (
        "Twelve studies with 400 patients were pooled.",
        400,
    ),
    (
        "We included 12 studies comprising 400 patients treated with rituximab.",
        400,
    ),
    (
        "Twelve studies (400 patients) met the inclusion criteria.",
        400,
    ),
    (
        "Sixty participants were enrolled in this open-label trial and given rituximab.",
        60,
    ),
    (
        "In this trial, 60 participants with SSc received rituximab 1000 mg.",
        60,
    ),
    (
        "Sixty SSc patients on rituximab were studied.",
        60,
    ),
    (
        "We enrolled 60 patients with SSc; all received rituximab.",
        60,
    ),
    (
        "We enrolled 60 patients with SSc, all of whom received rituximab.",
        60,
    ),
    (
        "Sixty patients with SSc were enrolled. All received rituximab.",
        60,
    ),
    (
        "Our cohort comprised 60 patients with SSc, all treated with rituximab.",
        60,
    ),
    (
        "Rituximab was started in 60 patients with SSc.",
        60,
    ),
    (
        "Rituximab was initiated in 60 patients.",
        60,
    ),
    (
        "Sixty patients started rituximab.",
        60,
    ),
    (
        "Sixty patients were exposed to rituximab.",
        60,
    ),
    (
        "60 SSc patients treated with rituximab were included.",
        60,
    ),
    (
        "Patients (n = 60) received rituximab.",
        60,
    ),
    (
        "The study enrolled 60 patients. Thirty-five (58%) had diffuse cutaneous disease.",
        60,
    ),
    (
        "We studied 60 patients with SSc-ILD (mean age 52; 48 women) who received RTX.",
        60,
    ),
    (
        "Sixty patients with SSc and 30 healthy controls were studied after rituximab.",
        60,
    ),
]


@pytest.mark.parametrize(("abstract", "n"), MORE_PATIENT_CASES)
def test_more_patient_counts(abstract: str, n: int | None) -> None:
    c = classify("Rituximab in systemic sclerosis", abstract)
    assert c.numbers.get("n") == n, c.numbers
