"""Relevance (core / related / off) and study design, rule by rule."""

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
        ("EULAR recommendations for the treatment of systemic sclerosis",
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
    ("types", "title", "abstract", "expected"),
    [
        (("Randomized Controlled Trial",), "Rituximab in SSc", "A trial.", "rct"),
        (("Meta-Analysis", "Systematic Review"), "Rituximab in SSc", "Pooled.", "meta-analysis"),
        (("Systematic Review",), "Rituximab in SSc", "Searched.", "systematic-review"),
        (("Case Reports",), "Rituximab in SSc", "A woman.", "case-report"),
        (("Clinical Trial Protocol",), "Rituximab in SSc", "Patients will be randomised.",
         "trial-protocol"),
        (("Review",), "Rituximab in SSc: where do we stand?", "This narrative review.", "review"),
        (("Practice Guideline",), "Guideline for SSc", "Recommendations.", "other"),
        (("Retraction of Publication",), "Retraction: rituximab in SSc", "Retracted.", "other"),
        ((), "Rituximab in SSc", "We randomly assigned 40 patients to rituximab or placebo in "
         "a double-blind trial.", "rct"),
        ((), "Rituximab in SSc", "This systematic review and meta-analysis pooled 10 studies.",
         "meta-analysis"),
        ((), "Rituximab in SSc", "We report a 38-year-old woman with SSc.", "case-report"),
        ((), "Rituximab in SSc", "We describe five patients with SSc.", "case-series"),
        ((), "Rituximab in SSc", "We retrospectively reviewed 52 patients.", "cohort"),
        ((), "Rituximab in SSc", "Forty-one patients received rituximab.", "cohort"),
        ((), "Rituximab in SSc", "Six patients received rituximab.", "case-series"),
        ((), "Follow-up of the DESIRES trial", "We followed 29 patients who participated in "
         "the DESIRES trial, a randomized double-blind trial.", "cohort"),
        (("Clinical Trial",), "Open-label extension of a rituximab trial in SSc",
         "Patients who completed the double-blind period received open-label rituximab.",
         "cohort"),
    ],
)  # fmt: skip
def test_design(types: tuple[str, ...], title: str, abstract: str, expected: str) -> None:
    c = classify(title, abstract, types=types)
    assert c.design == expected, c.reasons
