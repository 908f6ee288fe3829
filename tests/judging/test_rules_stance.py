"""Stance rules: negation, hedging, stability, direction of the measure, comparators."""

from __future__ import annotations

import pytest

from litwatch.judging.knowledge_file import DEFAULT_PATH, parse_knowledge_base
from litwatch.judging.rules import classify_article
from tests.helpers.classify import article, classify, stances

TITLE = "Rituximab in systemic sclerosis: a cohort study"
INTRO = "We studied 40 patients with systemic sclerosis treated with rituximab. "


@pytest.mark.parametrize(
    ("sentence", "finding", "expected"),
    [
        # The measure's own direction: mRSS falling supports, FVC falling contradicts.
        ("The mRSS decreased from 22.1 to 14.3 at 12 months.", "mrss-improvement", "supports"),
        ("The mRSS increased from 14 to 19 despite treatment.", "mrss-improvement", "contradicts"),
        ("FVC % predicted rose from 70.2 to 75.9.", "fvc-improvement", "supports"),
        ("FVC % predicted fell from 75 to 68 over the year.", "fvc-improvement", "contradicts"),
        ("Skin thickening improved markedly.", "mrss-improvement", "supports"),
        ("Lung function worsened in most patients.", "fvc-improvement", "contradicts"),
        # Negation.
        ("The mRSS did not significantly improve (p=0.40).", "mrss-improvement", "contradicts"),
        ("There was no improvement in FVC.", "fvc-improvement", "contradicts"),
        ("Rituximab failed to improve skin fibrosis.", "mrss-improvement", "contradicts"),
        # Stability is neither the claimed change nor its opposite.
        ("FVC % predicted remained stable over 12 months.", "fvc-improvement", "inconclusive"),
        ("There was no change in mRSS.", "mrss-improvement", "inconclusive"),
        ("FVC did not decline during follow-up.", "fvc-improvement", "inconclusive"),
        ("Rituximab prevented the decline of FVC.", "fvc-improvement", "inconclusive"),
        ("FVC changed by +0.3% over the year.", "fvc-improvement", "inconclusive"),
        # Hedged by non-significance.
        ("There was a trend towards improvement in FVC (p=0.08).", "fvc-improvement",
         "inconclusive"),
        ("The mRSS fell from 9 to 8, which was not statistically significant.",
         "mrss-improvement", "inconclusive"),
        ("FVC increased from 70 to 72 (p=0.31).", "fvc-improvement", "inconclusive"),
        # A clearly significant change stands even beside a large between-group p-value.
        ("FVC improved significantly in both groups, without a difference between them "
         "(p=0.64).", "fvc-improvement", "supports"),
        # Placebo comparisons.
        ("The mRSS change did not differ between rituximab and placebo (p=0.71).",
         "mrss-improvement", "contradicts"),
        ("FVC increased by 2.6% with rituximab versus a decrease of 1.9% with placebo.",
         "fvc-improvement", "supports"),
        ("The primary endpoint, change in mRSS, favoured rituximab (-8.9 vs -4.2).",
         "mrss-improvement", "supports"),
        # Another drug: only the intervention's own result counts.
        ("FVC improved with mycophenolate but not with rituximab.", "fvc-improvement",
         "contradicts"),
        ("FVC improved in the rituximab group (+4.5%), whereas it declined in the "
         "cyclophosphamide group.", "fvc-improvement", "supports"),
        ("FVC rose from 61.3 to 67.5 in the rituximab group and fell from 59.3 to 58.1 in "
         "the cyclophosphamide group.", "fvc-improvement", "supports"),
        # Two measures in one sentence each get their own verb.
        ("The mRSS decreased significantly and FVC remained stable.", "mrss-improvement",
         "supports"),
        ("The mRSS decreased significantly and FVC remained stable.", "fvc-improvement",
         "inconclusive"),
        ("Significant improvements in mRSS and FVC were observed.", "fvc-improvement",
         "supports"),
        ("Rituximab improved skin but FVC worsened by 2.8%.", "fvc-improvement", "contradicts"),
        # The result a sentence ends on wins.
        ("FVC improved during the first year but then declined, and at 5 years FVC was "
         "4.9% lower than at baseline.", "fvc-improvement", "contradicts"),
    ],
)  # fmt: skip
def test_effect_stance(sentence: str, finding: str, expected: str) -> None:
    c = classify(TITLE, INTRO + sentence)
    assert stances(c).get(finding) == expected, c.reasons


@pytest.mark.parametrize(
    ("sentence", "finding", "expected"),
    [
        ("The mRSS correlated with serum IgA levels (P<0.01).", "iga-mrss-correlation", "supports"),
        ("There was no correlation between serum IgA and mRSS (p=0.62).",
         "iga-mrss-correlation", "contradicts"),
        ("Serum IgA showed a weak correlation with mRSS that did not reach significance.",
         "iga-mrss-correlation", "inconclusive"),
        ("Patients with low IgM had a greater improvement in FVC.", "low-ig-better-response",
         "supports"),
        ("Patients with low baseline IgG showed a larger improvement in FVC.",
         "low-ig-better-response", "supports"),
        ("Serum immunoglobulin levels were not associated with clinical response.",
         "low-ig-better-response", "contradicts"),
    ],
)  # fmt: skip
def test_association_stance(sentence: str, finding: str, expected: str) -> None:
    assert stances(classify(TITLE, INTRO + sentence)).get(finding) == expected


def test_hypogammaglobulinaemia_and_infection_is_not_about_response() -> None:
    c = classify(
        TITLE,
        INTRO + "Hypogammaglobulinaemia developed in 18 patients and was associated with a "
        "higher risk of serious infections.",
    )
    assert "low-ig-better-response" not in stances(c)


@pytest.mark.parametrize(
    ("sentence", "expected"),
    [
        ("Over a median follow-up of 7 years, the improvement in FVC was maintained.", "supports"),
        ("Repeated courses of rituximab produced sustained improvement in skin.", "supports"),
        # A benefit that faded is open (LABELS.md: waned or mixed -> inconclusive).
        ("The skin response waned and by 36 months mRSS had returned to baseline.",
         "inconclusive"),
        ("The benefit was not sustained over 5 years of follow-up.", "inconclusive"),
        ("The improvement was sustained at 24 weeks.", None),  # not long-term
        ("FVC remained stable over 3 years.", None),  # stability alone is no lasting benefit
        ("A 45-year-old woman had improvement of skin thickening.", None),  # an age
    ],
)  # fmt: skip
def test_long_term_benefit(sentence: str, expected: str | None) -> None:
    assert stances(classify(TITLE, INTRO + sentence)).get("long-term-benefit") == expected


@pytest.mark.parametrize("setting", ["min_months = 12", ""])
def test_a_duration_alone_can_report_durability_in_any_knowledge_base(setting: str) -> None:
    # With a shorter threshold, or none, "one year" is long enough by itself; a sentence
    # with a number but no duration reads as nothing rather than failing.
    text = DEFAULT_PATH.read_text(encoding="utf-8")
    assert "min_months = 24" in text
    kb = parse_knowledge_base(text.replace("min_months = 24", setting))
    abstract = INTRO + "We enrolled 30 of them in 2019. Skin thickening had improved at one year."
    c = classify_article(article(TITLE, abstract), kb)
    assert stances(c).get("long-term-benefit") == "supports"


def test_background_aims_and_outlook_do_not_report() -> None:
    c = classify(
        TITLE,
        "Rituximab has been reported to improve skin fibrosis in systemic sclerosis. "
        "We aimed to assess whether rituximab improves FVC. We enrolled 20 patients. "
        "Further trials are needed to show that rituximab improves mRSS.",
    )
    assert c.findings == []


@pytest.mark.parametrize(
    ("title", "abstract", "types", "expected"),
    [
        ("Rituximab in systemic sclerosis: a multicentre, randomised, double-blind, "
         "placebo-controlled trial", "We randomly assigned 90 patients at 12 centres to "
         "rituximab or placebo.", ("Randomized Controlled Trial",), "addresses"),
        ("Rituximab in SSc: protocol for a multicentre randomised double-blind trial",
         "Patients will be randomised at 18 sites to rituximab or placebo.",
         ("Clinical Trial Protocol",), "addresses"),
        ("Rituximab in SSc-ILD: a single-centre randomized open-label trial",
         "Thirty patients were randomized to rituximab or standard care.",
         ("Randomized Controlled Trial",), None),
        ("Long-term rituximab in SSc: a cohort", "Randomized, double-blind, multicentre "
         "trials are still needed.", ("Journal Article",), None),
    ],
)  # fmt: skip
def test_open_question_addressed(
    title: str, abstract: str, types: tuple[str, ...], expected: str | None
) -> None:
    c = classify(title, abstract, types=types)
    assert stances(c).get("multicentre-rct-needed") == expected


def test_evidence_spans_point_into_the_sentence() -> None:
    c = classify(TITLE, INTRO + "The mRSS decreased from 22.1 to 14.3 at 12 months.")
    judgement = next(j for j in c.findings if j.finding_id == "mrss-improvement")
    evidence = judgement.evidence[0]
    assert evidence.sentence.startswith("The mRSS decreased")
    pieces = {evidence.sentence[a:b] for a, b in evidence.spans}
    assert "mRSS" in pieces and "decreased" in pieces
    assert 0.3 <= judgement.confidence <= 0.95
    assert judgement.reason.startswith("supports")


def test_structured_record_background_section_does_not_report() -> None:
    from litwatch.judging.rules import classify_article
    from litwatch.records import AbstractSection, ArticleRecord
    from tests.helpers.classify import kb

    record = ArticleRecord(
        pmid="7",
        title="Rituximab in systemic sclerosis: a cohort",
        abstract_sections=[
            AbstractSection(
                "BACKGROUND",
                "BACKGROUND",
                "Rituximab improves FVC in some reports. Its effect on skin is less clear.",
            ),  # fmt: skip
            AbstractSection("RESULTS", "RESULTS", "In 30 patients the mRSS fell from 20 to 12."),
            AbstractSection("Funding", "UNASSIGNED", "None."),
        ],
    )
    found = stances(classify_article(record, kb()))
    assert found == {"mrss-improvement": "supports"}


@pytest.mark.parametrize(
    ("sentence", "finding", "expected"),
    [
        # "No difference" against an active drug: the improvement named is what was compared.
        ("Against cyclophosphamide, rituximab did not differ significantly in the gain of "
         "FVC % predicted.", "fvc-improvement", "inconclusive"),
        # A starting value is not a result.
        ("The mRSS fell significantly by six months (p<0.001), a larger fall than with "
         "usual care, in keeping with higher skin scores at baseline.", "mrss-improvement",
         "supports"),
        ("Before treatment, FVC declined by 4% a year in every patient.", "fvc-improvement",
         None),
        ("The mRSS fell from 24 at baseline to 15 at 12 months.", "mrss-improvement",
         "supports"),
        # A negation written after the verb.
        ("The mRSS worsened in none of the patients.", "mrss-improvement", "inconclusive"),
        # Authors who say their data cannot settle it.
        ("Skin thickening could be improved by rituximab, but no firm conclusions can be "
         "drawn from such small numbers.", "mrss-improvement", "inconclusive"),
        # Animal work is not a result in patients.
        ("In a mouse model, B-cell depletion reduced skin fibrosis.", "mrss-improvement", None),
    ],
)  # fmt: skip
def test_stance_language(sentence: str, finding: str, expected: str | None) -> None:
    c = classify(TITLE, INTRO + sentence)
    assert stances(c).get(finding) == expected, c.reasons


def test_case_report_names_the_disease_for_its_measure() -> None:
    title = "Rituximab for refractory lung disease in systemic sclerosis: a case report"
    text = (
        "We describe a 52-year-old man with diffuse systemic sclerosis whose interstitial "
        "lung disease, refractory to cyclophosphamide, was successfully treated with rituximab."
    )
    assert stances(classify(title, text)).get("fvc-improvement") == "supports"
    # In a cohort the disease's name is only the population, not the measure.
    cohort = classify(TITLE, INTRO + "Interstitial lung disease was successfully managed.")
    assert "fvc-improvement" not in stances(cohort)


def test_a_follow_up_range_is_not_long_term() -> None:
    c = classify(TITLE, INTRO + "Skin scores improved significantly, with follow-up lasting "
                 "from 9 months to 5 years.")  # fmt: skip
    assert "long-term-benefit" not in stances(c)
    assert stances(c).get("mrss-improvement") == "supports"


def test_thin_evidence_is_below_the_review_line() -> None:
    one_word = classify(TITLE, INTRO + "The mRSS improved.")
    firm = classify(TITLE, INTRO + "The mRSS improved significantly (p=0.002).")
    conf = {j.finding_id: j.confidence for j in one_word.findings}
    assert conf["mrss-improvement"] < 0.8
    assert {j.finding_id: j.confidence for j in firm.findings}["mrss-improvement"] >= 0.8


# Results sentences in the wording of real abstracts, in our own words: a CI that spans no
# change, "stable or improved", a benefit at one time point or in one subgroup only, a decline
# smaller than with placebo, and p-values tied to their own measure.
REAL_WORDING = [
    (
        "The mRSS fell significantly from baseline to six months (p < 0.01).",
        "mrss-improvement",
        "supports",
    ),
    (
        "The mRSS went from 20.2 to 19.4 (p = 0.27).",
        "mrss-improvement",
        "inconclusive",
    ),
    (
        "The mean change in mRSS was -1.1 (95% CI -3.0 to 0.8).",
        "mrss-improvement",
        "inconclusive",
    ),
    (
        "FVC remained stable over 24 months.",
        "fvc-improvement",
        "inconclusive",
    ),
    (
        "Lung function stabilised in most patients.",
        "fvc-improvement",
        "inconclusive",
    ),
    (
        "FVC was stable or improved in 80% of patients.",
        "fvc-improvement",
        "inconclusive",
    ),
    (
        "FVC did not differ between rituximab and cyclophosphamide (p = 0.5).",
        "fvc-improvement",
        "inconclusive",
    ),
    (
        "FVC did not differ between the rituximab and placebo groups at 48 weeks.",
        "fvc-improvement",
        "contradicts",
    ),
    (
        "There was no significant change in mRSS from baseline to 12 months.",
        "mrss-improvement",
        "inconclusive",
    ),
    (
        "The mRSS improved significantly at 6 months but not at 12 months.",
        "mrss-improvement",
        "inconclusive",
    ),
    (
        "The mRSS improved significantly only in patients with early disease.",
        "mrss-improvement",
        "inconclusive",
    ),
    (
        "The skin score improved in all four patients.",
        "mrss-improvement",
        "supports",
    ),
    (
        "Skin tightness resolved after two courses.",
        "mrss-improvement",
        "supports",
    ),
    (
        "FVC was measured every 6 months.",
        "fvc-improvement",
        None,
    ),
    (
        "A non-significant rise in FVC was seen (from 70% to 72%).",
        "fvc-improvement",
        "inconclusive",
    ),
    (
        "At 12 months, mRSS was significantly lower than at baseline (14 vs 22, p = 0.002).",
        "mrss-improvement",
        "supports",
    ),
    (
        "FVC % predicted rose significantly from 64 to 70 (p = 0.01), while DLCO was unchanged.",
        "fvc-improvement",
        "supports",
    ),
    (
        "DLCO rose significantly, while FVC was unchanged.",
        "fvc-improvement",
        "inconclusive",
    ),
    (
        "Both mRSS and FVC improved significantly.",
        "mrss-improvement",
        "supports",
    ),
    (
        "Both mRSS and FVC improved significantly.",
        "fvc-improvement",
        "supports",
    ),
    (
        "FVC improved significantly, but only in the subgroup with early ILD.",
        "fvc-improvement",
        "inconclusive",
    ),
    (
        "Compared with placebo, the decline in FVC was significantly smaller with rituximab "
        "(p = 0.02).",
        "fvc-improvement",
        "supports",
    ),
    (
        "FVC worsened despite rituximab.",
        "fvc-improvement",
        "contradicts",
    ),
    (
        "FVC remained stable, whereas it declined in untreated historical controls.",
        "fvc-improvement",
        "inconclusive",
    ),
]


@pytest.mark.parametrize(("sentence", "finding", "expected"), REAL_WORDING)
def test_stance_in_real_wording(sentence: str, finding: str, expected: str | None) -> None:
    assert stances(classify(TITLE, INTRO + sentence)).get(finding) == expected


# A lasting benefit phrased many ways (years, months, "long-term", extensions, repeated
# courses), one that faded, and times that are ages or disease histories, in our own words.
LASTING_WORDING = [
    (
        "The mRSS improvement was maintained at 24 months.",
        "supports",
    ),
    (
        "At 2 years, mRSS remained significantly lower than at baseline (p < 0.01).",
        "supports",
    ),
    (
        "After a median follow-up of 4 years, skin and lung function remained improved.",
        "supports",
    ),
    (
        "The skin score continued to fall over 36 months of treatment.",
        "supports",
    ),
    (
        "Improvement in mRSS was sustained through 48 months.",
        "supports",
    ),
    (
        "After four courses over two years, the mRSS had improved significantly (p = 0.002).",
        "supports",
    ),
    (
        "With retreatment every six months, FVC improved significantly by year 3.",
        "supports",
    ),
    (
        "In the open-label extension, mRSS kept improving up to week 96 (p < 0.001).",
        "supports",
    ),
    (
        "Over the long term, rituximab improved skin thickening significantly.",
        "supports",
    ),
    (
        "The benefit on skin persisted for 5 years.",
        "supports",
    ),
    (
        "At the last visit (median 30 months), mRSS had fallen from 24 to 12 (p < 0.001).",
        "supports",
    ),
    (
        "The mRSS improved at 12 months, but by 24 months it had returned to baseline.",
        "inconclusive",
    ),
    (
        "The early benefit on FVC was not maintained at 2 years.",
        "inconclusive",
    ),
    (
        "The mRSS improved at 6 months.",
        None,
    ),
    (
        "Patients were aged 55 years on average.",
        None,
    ),
    (
        "Disease duration was 6 years.",
        None,
    ),
    (
        "FVC remained stable at 24 months.",
        None,
    ),
]


@pytest.mark.parametrize(("sentence", "expected"), LASTING_WORDING)
def test_lasting_benefit_wording(sentence: str, expected: str | None) -> None:
    assert stances(classify(TITLE, INTRO + sentence)).get("long-term-benefit") == expected
