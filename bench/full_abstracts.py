"""Full-length structured abstracts for the classification benchmark.

Our gold abstracts are short (about 300 characters: the sentences that carry the label),
while a PubMed abstract on a clinical study runs to 1,200-2,000 characters in labelled
sections. Timing the classifier on the short ones alone would flatter it, so each gold
abstract is also set inside a full abstract: background, methods, the gold text among further
results, and a conclusion, drawn from the sentence pools below (written for this benchmark).
"""

from __future__ import annotations

import random
from dataclasses import replace

from litwatch.pubmed.markup import escape_text
from litwatch.records import AbstractSection, ArticleRecord

BACKGROUND = [
    "Systemic sclerosis is a chronic autoimmune disease marked by vasculopathy, immune "
    "activation and fibrosis of the skin and internal organs.",
    "Interstitial lung disease is the leading cause of death in systemic sclerosis, and few "
    "treatments slow its course.",
    "B cells infiltrate the skin and lungs of patients with diffuse cutaneous disease and "
    "produce autoantibodies and profibrotic cytokines.",
    "Depleting CD20-positive B cells has been proposed as a treatment for patients whose "
    "disease progresses despite conventional immunosuppression.",
    "Evidence for B-cell depletion comes mostly from small open-label series and a few "
    "controlled trials with short follow-up.",
    "Repeated infusions raise concerns about hypogammaglobulinaemia and serious infections "
    "in patients already exposed to other immunosuppressants.",
]
METHODS = [
    "Patients fulfilling the 2013 ACR/EULAR classification criteria were enrolled at three "
    "referral centres between January 2014 and December 2021.",
    "Clinical data were collected at baseline and at 6, 12 and 24 months by the treating "
    "rheumatologist using a standard case report form.",
    "Skin involvement was scored by trained assessors, and pulmonary function tests with "
    "diffusing capacity were performed at each visit.",
    "Serum immunoglobulin concentrations were measured before each course and every six "
    "months thereafter.",
    "Adverse events were recorded according to the Common Terminology Criteria, with "
    "particular attention to infections requiring hospital admission.",
    "Changes from baseline were compared with the Wilcoxon signed-rank test, and mixed "
    "models accounted for repeated measurements.",
    "Concomitant treatment with mycophenolate mofetil, methotrexate or low-dose "
    "prednisolone was allowed at stable doses.",
    "High-resolution computed tomography was reviewed by two thoracic radiologists blinded "
    "to treatment and time point.",
]
RESULTS = [
    "The median disease duration at inclusion was 3.1 years (interquartile range 1.4-6.8), "
    "and 71% of patients were women.",
    "Anti-topoisomerase I antibodies were present in 58% of patients and anti-centromere "
    "antibodies in 9%.",
    "The diffusing capacity for carbon monoxide did not differ between baseline and the last "
    "visit (52.4% vs 51.9% predicted).",
    "The Health Assessment Questionnaire disability index fell from 1.25 to 0.94 over the "
    "observation period.",
    "Infusion reactions occurred in 11 patients and were mild; four serious infections were "
    "recorded, two of them pneumonias.",
    "Twelve patients received a second course after a median of 13 months, and three stopped "
    "treatment because of lack of efficacy.",
    "Digital ulcers healed in five of the nine patients who had active ulcers at baseline.",
    "The extent of lung fibrosis on computed tomography was unchanged in most patients, and "
    "progressed in four.",
]
CONCLUSIONS = [
    "These data add to the experience with B-cell depletion in this disease and support "
    "larger controlled studies with longer follow-up.",
    "Treatment was generally well tolerated, although infections and low immunoglobulin "
    "levels call for monitoring.",
    "Prospective studies should identify which patients benefit most and how often courses "
    "should be repeated.",
]


def full_abstracts(articles: list[ArticleRecord], seed: int = 2026) -> list[ArticleRecord]:
    """Each article with its abstract set among background, methods, results and conclusion."""
    rng = random.Random(seed)
    out = []
    for article in articles:
        gold = " ".join(s.text for s in article.abstract_sections)
        sections = [
            _section("BACKGROUND", rng.sample(BACKGROUND, 2)),
            _section("METHODS", rng.sample(METHODS, 3)),
            AbstractSection(
                "RESULTS", "RESULTS", gold + " " + escape_text(" ".join(rng.sample(RESULTS, 3)))
            ),
            _section("CONCLUSIONS", rng.sample(CONCLUSIONS, 1)),
        ]
        out.append(replace(article, abstract_sections=sections))
    return out


def _section(name: str, sentences: list[str]) -> AbstractSection:
    return AbstractSection(name, name, escape_text(" ".join(sentences)))
