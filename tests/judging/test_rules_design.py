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


# More wording of real abstracts, in our own words: reviews that cite trials or bench work,
# pooled analyses named by their method, registry records whose fields are section labels,
# and LABELS.md's line between a cohort and a small retrospective series.
DESIGN_WORDING = [
    (
        "B cells in systemic sclerosis: from pathogenesis to therapy",
        "B lymphocytes take part in the fibrosis of systemic sclerosis (SSc). Studies in mice"
        " and in cultured fibroblasts show that B cells drive collagen production, and serum "
        "levels of BAFF are raised in patients. Here we describe how B-cell depletion with "
        "rituximab may act and what clinical studies have reported so far. Rituximab appears "
        "to improve skin and stabilise lung function.",
        "review",
    ),
    (
        "Rituximab in systemic sclerosis: where do we stand?",
        "Rituximab, an anti-CD20 antibody, has been used off-label in SSc for over a decade. "
        "Randomised controlled trials from Japan and the UK have now reported on skin and "
        "lung outcomes. This article brings together what is known about its efficacy and "
        "safety, and points to open questions.",
        "review",
    ),
    (
        "Targeting B cells in systemic sclerosis",
        "Evidence on B-cell-targeted therapy in SSc has grown. We highlight the results of "
        "recent trials of rituximab and discuss where belimumab and CAR-T cells may fit. Gene"
        " expression studies of skin biopsies suggest which patients may respond.",
        "review",
    ),
    (
        "Treatment of SSc-associated interstitial lung disease: an update",
        "Interstitial lung disease is the leading cause of death in SSc. Cyclophosphamide and"
        " mycophenolate have been tested in randomized trials, and rituximab and nintedanib "
        "more recently. This update outlines current treatment and the place of each drug.",
        "review",
    ),
    (
        "Biologics in scleroderma",
        "The past decade has brought several biologic agents into trials for scleroderma. "
        "Tocilizumab, abatacept and rituximab have each been tested in randomised studies. In"
        " this paper we look at what these trials found and how they might change care.",
        "review",
    ),
    (
        "The role of rituximab in systemic sclerosis",
        "Current knowledge of rituximab in systemic sclerosis is summarised. Observational "
        "studies and two randomised placebo-controlled trials suggest a benefit on skin "
        "thickening. Its effect on lung function is less certain.",
        "review",
    ),
    (
        "Rituximab for systemic sclerosis: recent advances",
        "This narrative overview covers recent advances in the use of rituximab for systemic "
        "sclerosis, including data from the DESIRES trial and from EUSTAR cohorts.",
        "review",
    ),
    (
        "Emerging therapies for systemic sclerosis",
        "We give an account of new treatments for systemic sclerosis. Among them, rituximab "
        "has shown benefit on skin in a randomised trial, and in vitro studies point to new "
        "targets.",
        "review",
    ),
    (
        "Rituximab in SSc-ILD: a meta-analysis",
        "We searched four databases and pooled the results of 12 studies with 410 patients "
        "treated with rituximab. The pooled mean change in FVC was 2.1% (95% CI 0.4 to 3.8).",
        "meta-analysis",
    ),
    (
        "Rituximab in SSc lung disease",
        "Data from nine studies (n = 300) were combined using a random-effects model. FVC "
        "improved by a weighted mean difference of 3.0%.",
        "meta-analysis",
    ),
    (
        "Rituximab in SSc",
        "A systematic search identified 14 eligible studies. Using random effects, the "
        "standardised mean difference in mRSS was -0.6.",
        "meta-analysis",
    ),
    (
        "Rituximab in systemic sclerosis: a single-centre experience",
        "We reviewed the records of 14 patients with SSc treated with rituximab between 2010 "
        "and 2020. The mRSS fell from 20 to 14 over 12 months.",
        "cohort",
    ),
    (
        "Rituximab in SSc: experience from a national registry",
        "Patients with SSc in the national registry who received rituximab (n = 12) were "
        "compared with matched patients who did not.",
        "cohort",
    ),
    (
        "Long-term rituximab in SSc",
        "Data for 15 consecutive patients treated with rituximab were analysed "
        "retrospectively. Patients were followed for a median of 4 years.",
        "case-series",
    ),
    (
        "Rituximab in diffuse SSc",
        "All 18 patients with diffuse SSc given rituximab at our clinic since 2012 were "
        "followed prospectively; FVC and mRSS were recorded every 6 months.",
        "cohort",
    ),
    (
        "Rituximab in refractory SSc: a report of six cases",
        "We report six patients with refractory SSc treated with rituximab. Skin improved in four.",
        "case-series",
    ),
    (
        "Rituximab for calcinosis in SSc",
        "Eight patients with SSc and calcinosis were given rituximab. We describe their course.",
        "case-series",
    ),
    (
        "Rituximab in early diffuse SSc: an open-label study",
        "In this open-label study, 15 patients with early diffuse SSc received two infusions "
        "of rituximab. The mRSS fell at 6 months.",
        "non-randomised-trial",
    ),
    (
        "Rituximab in SSc-ILD",
        "In a single-arm, phase 2 trial, 20 patients with SSc-ILD received rituximab and were"
        " followed for 48 weeks.",
        "non-randomised-trial",
    ),
    (
        "Rituximab for SSc",
        "This prospective, uncontrolled trial enrolled 12 patients who were given rituximab 1"
        " g twice.",
        "non-randomised-trial",
    ),
    (
        "Rituximab in systemic sclerosis: a pilot study",
        "Ten patients were enrolled in this prospective pilot study and received rituximab.",
        "non-randomised-trial",
    ),
    (
        "Rituximab versus placebo in SSc",
        "Patients were randomly assigned 1:1 to rituximab or placebo. At 24 weeks the mRSS "
        "fell more with rituximab.",
        "rct",
    ),
    (
        "Rituximab versus cyclophosphamide in SSc-ILD",
        "In this multicentre trial, 100 patients were randomised to rituximab or cyclophosphamide.",
        "rct",
    ),
    (
        "Rituximab versus placebo in SSc: a registration",
        "A randomised, double-blind, placebo-controlled trial. Condition: systemic sclerosis."
        " Inclusion criteria: age 18-70 years; diffuse SSc. Exclusion criteria: pregnancy; "
        "severe heart failure (FVC<50%). Planned participants: 16.",
        "trial-protocol",
    ),
    (
        "Rituximab in SSc",
        "Study type: interventional. Intervention: rituximab 1 g. Primary outcome: change in "
        "mRSS at 24 weeks. Secondary outcome: FVC % predicted. Estimated enrolment: 40 "
        "participants.",
        "trial-protocol",
    ),
    (
        "Rituximab in SSc-ILD: rationale and design",
        "We describe the design of a randomised trial comparing rituximab with mycophenolate."
        " The primary endpoint is the change in FVC at 48 weeks; 120 patients are to be "
        "enrolled.",
        "trial-protocol",
    ),
    (
        "Treatment recommendations for SSc",
        "A task force of experts updated the recommendations for treating SSc. Rituximab is "
        "recommended for skin and lung disease in selected patients.",
        "guideline",
    ),
    (
        "Rituximab in SSc: a systematic review",
        "We searched PubMed and Embase for studies of rituximab in SSc. Twenty studies were "
        "included. Most reported skin improvement; none pooled.",
        "systematic-review",
    ),
]


@pytest.mark.parametrize(("title", "abstract", "expected"), DESIGN_WORDING)
def test_design_wording_of_real_abstracts(title: str, abstract: str, expected: str) -> None:
    c = classify(title, abstract)
    assert c.design == expected, c.reasons
