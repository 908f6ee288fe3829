"""Study design (LABELS.md's one label), rule by rule: publication types, then the text."""

from __future__ import annotations

import pytest

from tests.helpers.classify import classify


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
        (("Practice Guideline",), "Guideline for SSc", "Recommendations.", "guideline"),
        (("Consensus Development Conference",), "Screening for SSc-ILD", "A panel agreed.",
         "guideline"),
        (("Retraction of Publication",), "Retraction: rituximab in SSc", "Retracted.", "other"),
        # An erratum of a trial is no new trial.
        (("Published Erratum", "Randomized Controlled Trial"), "Rituximab in SSc: a "
         "randomised trial", "Patients were randomly assigned to rituximab or placebo.",
         "other"),
        ((), "Correction to: rituximab versus placebo in SSc, a randomised trial",
         "Patients randomly assigned to placebo were miscounted in Table 1.", "other"),
        # "Clinical Trial" types say a trial was done; the text says which kind.
        (("Clinical Trial",), "Rituximab in SSc", "We randomly assigned 40 patients to "
         "rituximab or placebo.", "rct"),
        (("Clinical Trial, Phase II",), "Rituximab in SSc", "Twenty patients received "
         "rituximab in an open-label study.", "non-randomised-trial"),
        (("Clinical Trial",), "Open-label extension of a rituximab trial in SSc",
         "Patients who completed the double-blind period received open-label rituximab.",
         "cohort"),
        (("Multicenter Study",), "Rituximab in SSc", "We describe five patients with SSc.",
         "case-series"),
    ],
)  # fmt: skip
def test_design_from_publication_types(
    types: tuple[str, ...], title: str, abstract: str, expected: str
) -> None:
    c = classify(title, abstract, types=types)
    assert c.design == expected, c.reasons


@pytest.mark.parametrize(
    ("title", "abstract", "expected"),
    [
        ("Rituximab in SSc", "We randomly assigned 40 patients to rituximab or placebo in "
         "a double-blind trial.", "rct"),
        ("Rituximab in SSc", "Thirty patients were assigned at random to rituximab or "
         "cyclophosphamide.", "rct"),
        ("Rituximab in SSc", "This systematic review and meta-analysis pooled 10 studies.",
         "meta-analysis"),
        ("Rituximab for SSc skin: an evidence summary", "The summary includes 5 studies of "
         "rituximab in SSc, most of them uncontrolled.", "systematic-review"),
        ("Rituximab in SSc", "We report a 38-year-old woman with SSc.", "case-report"),
        ("Rituximab in SSc", "We describe five patients with SSc.", "case-series"),
        ("Rituximab in SSc", "We treated three patients with SSc-ILD with rituximab.",
         "case-report"),
        ("Rituximab in SSc", "Objectives: to describe a series of SSc patients we treated with "
         "rituximab. Twenty-two patients received it and were followed for 5 years.",
         "case-series"),
        ("Rituximab in SSc", "We retrospectively reviewed 52 patients.", "cohort"),
        ("Rituximab in SSc", "Forty-one patients received rituximab.", "cohort"),
        ("Rituximab in SSc", "Six patients received rituximab.", "case-series"),
        ("Follow-up of the DESIRES trial", "We followed 29 patients who participated in "
         "the DESIRES trial, a randomized double-blind trial.", "cohort"),
        # Prospective interventional studies without randomisation.
        ("Rituximab in early diffuse SSc", "In a prospective, open-label, single-arm trial, "
         "20 patients received rituximab.", "non-randomised-trial"),
        ("Methotrexate with pulsed steroids in morphea", "A prospective pilot study, "
         "nonrandomised and open. Fifteen patients were treated.", "non-randomised-trial"),
        ("Rituximab in SSc", "This prospective study looked at how well rituximab worked "
         "when given to 18 patients with SSc. The study was registered as NCT01234567.",
         "non-randomised-trial"),
        ("Rituximab in SSc: a pilot", "Twelve patients with SSc received rituximab.",
         "non-randomised-trial"),
        # Observational data dressed as a trial.
        ("Steroids for skin fibrosis in SSc: a target trial emulation", "Registry data were "
         "used to emulate a randomized trial; propensity score matching gave 200 patients.",
         "cohort"),
        # Protocols and registry records.
        ("Rituximab for SSc-ILD", "Registration NCT00000001; randomised, double-masked; 100 "
         "participants planned; status: not yet recruiting. Primary outcome: change in FVC at "
         "week 24. Inclusion criteria: SSc-ILD.", "trial-protocol"),
        ("Drug QX-5 in SSc", "This study will find out whether QX-5 is better than placebo. "
         "Inclusion criteria: diffuse SSc.", "trial-protocol"),
        # Guidelines.
        ("Recommendations of a national society on treating systemic sclerosis", "A task force "
         "ran a systematic literature review and agreed on 16 statements.", "guideline"),
        ("Lung disease in connective tissue diseases", "The aim of this document is "
         "to set out practical recommendations for clinicians on screening and treatment.",
         "guideline"),
        # Reviews with no study of their own, and laboratory work.
        ("Systemic sclerosis in the time of a pandemic", "Patients on immunosuppression may "
         "respond less to vaccines, above all those on rituximab.", "review"),
        ("Pathogenesis of systemic sclerosis: facts and controversies", "Fibrotic and "
         "inflammatory pathways are shared by morphea and SSc; the mechanisms remain "
         "unclear.", "review"),
        ("B-cell depletion in the tight-skin mouse", "Mice received anti-CD20 antibody; "
         "fibroblasts from treated mice made less collagen in vitro.", "other"),
        ("Serum BAFF in systemic sclerosis", "Serum levels were higher in 40 patients than "
         "in 20 healthy controls.", "other"),
        ("Cost-effectiveness of rituximab for SSc-ILD", "A Markov model compared the costs "
         "of rituximab and cyclophosphamide over 10 years.", "other"),
    ],
)  # fmt: skip
def test_design_from_text(title: str, abstract: str, expected: str) -> None:
    c = classify(title, abstract)
    assert c.design == expected, c.reasons
