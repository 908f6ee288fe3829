"""Relevance (core / related / off), rule by rule."""

from __future__ import annotations

import pytest

from tests.helpers.classify import classify

SSC_RTX = ("Rituximab", "Scleroderma, Systemic")


@pytest.mark.parametrize(
    ("title", "abstract", "expected"),
    [
        ("Rituximab in systemic sclerosis: a cohort study",
         "Thirty patients with SSc received rituximab. The mRSS improved.", "core"),
        ("MabThera for diffuse cutaneous scleroderma",
         "Twenty patients with dcSSc received MabThera; skin scores fell.", "core"),
        ("Biosimilar CT-P10 in SSc", "Patients with SSc received CT-P10 infusions.", "core"),
        ("RTX for SSc-ILD", "We treated 37 patients with SSc-ILD with RTX; ppFVC rose.", "core"),
        ("Anti-CD20 therapy in early diffuse systemic sclerosis",
         "Anti-CD20 therapy improved skin in 30 patients with systemic sclerosis.", "core"),
        # Mixed populations, mechanism, guidelines, costs: related.
        ("Rituximab in connective tissue disease-associated interstitial lung disease",
         "We included 112 patients with CTD-ILD, 38 with systemic sclerosis, 41 with "
         "myositis and 33 with other connective tissue diseases, treated with rituximab.",
         "related"),
        ("Anti-CD20 antibody reduces skin fibrosis in the bleomycin mouse model of scleroderma",
         "Mice given bleomycin received anti-CD20 antibody; fibroblasts and TGF-beta "
         "signalling were reduced in systemic sclerosis-like skin.", "related"),
        ("Recommendations of a national society on treating systemic sclerosis",
         "A task force updated recommendations; rituximab is recommended for skin and ILD "
         "in SSc.", "related"),
        ("Cost-effectiveness of rituximab for SSc-ILD: a Markov model",
         "Rituximab was cost-saving compared with cyclophosphamide in systemic sclerosis.",
         "related"),
        ("Treatment of systemic sclerosis: an update", "We review methotrexate, mycophenolate, "
         "cyclophosphamide, nintedanib, tocilizumab and rituximab for SSc.", "related"),
        # Off topic: the drug in other diseases, the disease with other drugs.
        ("Rituximab versus tocilizumab in rheumatoid arthritis",
         "Patients with rheumatoid arthritis received rituximab or tocilizumab.", "off"),
        ("Ocrelizumab in relapsing multiple sclerosis",
         "The anti-CD20 antibody ocrelizumab reduced relapses in multiple sclerosis.", "off"),
        ("Nintedanib for systemic sclerosis-associated ILD",
         "Nintedanib slowed FVC decline in 576 patients with SSc-ILD.", "off"),
        ("Intravenous immunoglobulin for skin disease in systemic sclerosis",
         "Thirty patients with SSc received IVIG. Patients previously treated with "
         "rituximab were excluded.", "off"),
        ("Rituximab for morphea profunda in a child",
         "A girl with localized scleroderma improved after rituximab.", "off"),
        # A guideline for the condition bears on the intervention even when it is not named;
        # one for a wider group of diseases does not.
        ("Recommendations for the treatment of systemic sclerosis: an update",
         "A task force of experts revised the recommendations for managing SSc; 14 statements "
         "cover skin, lung, digital ulcers and renal crisis.", "related"),
        ("Managing lung disease in connective tissue diseases: a position statement",
         "This statement gives a framework for treating CTD-ILD with immunosuppression.", "off"),
        # A review of B-cell depletion in the condition, the drug unnamed.
        ("B cells in systemic sclerosis: biology and treatment", "B cells are overactive in "
         "systemic sclerosis. B-cell depletion looks promising, and the data on targeting B "
         "cells in SSc are summarised in this review.", "related"),
        # One patient who has the condition and another disease is a patient with the
        # condition; one patient with another disease is not.
        ("Rituximab for myositis in a woman with systemic sclerosis overlap",
         "A 52-year-old woman with SSc and overlapping myositis regained strength after "
         "rituximab.", "core"),
        ("Rituximab for lupus rash in mixed connective tissue disease",
         "A 30-year-old woman with mixed connective tissue disease and some features of "
         "scleroderma had a rash that cleared after rituximab.", "off"),
        # A mixed population with the drug named once in a list of treatments.
        ("Interstitial lung disease in connective tissue diseases: a clinic's experience",
         "We reviewed 80 patients with CTD-ILD; systemic sclerosis was the commonest disease. "
         "Treatment was mainly glucocorticoids, with biologics such as tocilizumab or "
         "rituximab in a few.", "off"),
        # A drug named among the exclusion criteria is not what the trial tests.
        ("A study of drug QX-5 in systemic sclerosis", "The study will test QX-5 against "
         "placebo for skin disease in SSc. Exclusion criteria: prior use of rituximab.", "off"),
        # A registry record naming the drug as its experimental arm.
        ("A randomised placebo-controlled study of an anti-CD20 antibody in systemic sclerosis",
         "Interventional, randomised, double-masked; 120 participants planned. Arms: placebo; "
         "experimental, anti-CD20 monoclonal antibody. Inclusion criteria: SSc by the 2013 "
         "criteria. Primary outcome: change in mRSS at week 24.", "core"),
        # Outcome questionnaires and off-label prescribing are no study of practice.
        ("Rituximab for skin involvement in systemic sclerosis", "Prescribing rituximab in SSc "
         "is off-label. Seven studies of rituximab in SSc reported the skin score and the "
         "Health Assessment Questionnaire; the Scleroderma Health Assessment Questionnaire "
         "improved in most.", "core"),
    ],
)  # fmt: skip
def test_relevance(title: str, abstract: str, expected: str) -> None:
    c = classify(title, abstract)
    assert c.relevance == expected, c.reasons
    assert 0.0 <= c.relevance_score <= 1.0


def test_scores_order_the_labels() -> None:
    core = classify("Rituximab in systemic sclerosis", "Rituximab improved SSc skin.")
    related = classify("Treatment of systemic sclerosis: an update", "Rituximab is one option "
                       "among methotrexate and mycophenolate for SSc.")  # fmt: skip
    off = classify("Rituximab in pemphigus", "Rituximab induced remission in pemphigus.")
    assert core.relevance_score > related.relevance_score > off.relevance_score


def test_mesh_alone_can_name_the_condition() -> None:
    c = classify("B-cell depletion therapy for skin fibrosis", "Twenty patients received "
                 "rituximab and their skin improved.", mesh=SSC_RTX)  # fmt: skip
    assert c.relevance == "core"


@pytest.mark.parametrize(
    ("types", "title", "abstract"),
    [
        (("Retraction of Publication",), "Retraction note: rituximab in SSc-ILD, a randomised "
         "trial", "This article has been retracted because the data could not be verified."),
        ((), "Notice of retraction: rituximab improves skin in diffuse SSc",
         "The journal retracts this article at the request of the authors."),
        ((), "Erratum: rituximab versus cyclophosphamide in systemic sclerosis",
         "A value in Table 2 was wrong in the original article and has been corrected."),
    ],
)  # fmt: skip
def test_a_notice_about_an_article_is_related_not_core(
    types: tuple[str, ...], title: str, abstract: str
) -> None:
    c = classify(title, abstract, types=types, mesh=SSC_RTX)
    assert c.relevance == "related", c.reasons
    assert c.design == "other", c.reasons
