"""Numbers, trials, flags, priority and the one-line explanation."""

from __future__ import annotations

from datetime import date

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
