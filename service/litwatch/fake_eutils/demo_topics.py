"""What the demo corpus is about: study kinds, MeSH, and the related and off-topic records.

Over 300 lines: it is a table, not logic. Each related and off-topic record of the demo corpus
is one entry here with its title, sentences and labels; split across files the near misses
would no longer read beside the records they are near.
"""

from __future__ import annotations

import random
from dataclasses import dataclass
from typing import Any

S, C, I = "supports", "contradicts", "inconclusive"  # noqa: E741

Q_DRUG = ("drug therapy", "Q000188", True)
Q_USE = ("therapeutic use", "Q000627", True)
SSC = ("Scleroderma, Systemic", "D012595")
RTX = ("Rituximab", "D000069283")


@dataclass(frozen=True, slots=True)
class Kind:
    """A kind of core study: its design label, publication types and wordings."""

    design: str
    pub_types: tuple[str, ...]
    titles: tuple[str, ...]
    methods: tuple[str, ...]


MeshEntry = tuple[str, str, bool, list[tuple[str, str, bool]]]

CORE_KINDS: dict[str, Kind] = {
    "rct": Kind(
        design="rct",
        pub_types=("Journal Article", "Randomized Controlled Trial", "Multicenter Study"),
        titles=(
            "Rituximab versus placebo in {subset} of systemic sclerosis: a multicentre, "
            "double-blind, randomised trial",
            "B-cell depletion with rituximab in systemic sclerosis: results of a randomised "
            "placebo-controlled trial in {n} patients",
        ),
        methods=(
            "In this double-blind trial at {n2} centres, {n} adults with SSc were randomly "
            "assigned 1:1 to rituximab ({dose}) or placebo and followed for {months} months "
            "({nct}).",
            "We randomised {n} patients with SSc to rituximab ({dose}) or placebo; the primary "
            "outcome was the change in mRSS at {months} months ({nct}).",
        ),
    ),
    "followup": Kind(
        design="cohort",
        pub_types=("Journal Article", "Observational Study"),
        titles=(
            "Long-term follow-up of patients with systemic sclerosis after a randomised trial of "
            "rituximab: {months} months of data",
            "Repeated courses of rituximab in systemic sclerosis: extended follow-up of trial "
            "participants over {months} months",
        ),
        methods=(
            "We followed {n} patients who completed a randomised rituximab trial for {months} "
            "months, during which they received repeated courses ({dose}).",
        ),
    ),
    "cohort": Kind(
        design="cohort",
        pub_types=("Journal Article", "Observational Study"),
        titles=(
            "Rituximab for {subset} in systemic sclerosis: a cohort of {n} patients from {place}",
            "Real-world outcomes of rituximab in systemic sclerosis: a retrospective cohort study "
            "from {place}",
            "Effect of rituximab on skin and lung in scleroderma: a prospective study of {n} "
            "patients",
        ),
        methods=(
            "We reviewed the records of {n} consecutive SSc patients treated with rituximab "
            "({dose}) and followed for {months} months.",
            "In a prospective cohort, {n} patients with SSc received rituximab ({dose}); mRSS "
            "and FVC were measured every six months for {months} months.",
        ),
    ),
    "ig-cohort": Kind(
        design="cohort",
        pub_types=("Journal Article",),
        titles=(
            "Serum immunoglobulins and response to rituximab in {n} patients with systemic "
            "sclerosis",
            "Immunoglobulin levels after B-cell depletion in SSc: links with skin and lung "
            "outcomes",
        ),
        methods=(
            "Serum IgG, IgA and IgM were measured before and after rituximab ({dose}) in {n} "
            "patients with SSc followed for {months} months.",
        ),
    ),
    "case-series": Kind(
        design="case-series",
        pub_types=("Journal Article",),
        titles=(
            "Rituximab in refractory systemic sclerosis: a case series of {n} patients",
            "Rituximab for progressive SSc-ILD: experience with {n} patients",
        ),
        methods=(
            "We describe {n} patients with SSc refractory to conventional immunosuppression who "
            "received rituximab ({dose}) and were followed for {months} months.",
        ),
    ),
    "case-report": Kind(
        design="case-report",
        pub_types=("Journal Article", "Case Reports"),
        titles=(
            "Rituximab in a patient with rapidly progressive diffuse cutaneous systemic "
            "sclerosis aged {age}: a case report",
            "Response of scleroderma lung disease to rituximab over {months} months: a case report",
        ),
        methods=(
            "A {age}-year-old woman with diffuse cutaneous SSc and worsening lung disease "
            "despite mycophenolate received rituximab ({dose}); we followed her for {months} "
            "months.",
        ),
    ),
    "meta": Kind(
        design="meta-analysis",
        pub_types=("Journal Article", "Systematic Review", "Meta-Analysis"),
        titles=(
            "Rituximab for skin and lung involvement in systemic sclerosis: a systematic review "
            "and meta-analysis of {n2} studies",
        ),
        methods=(
            "We searched databases for studies of rituximab in SSc reporting mRSS or FVC; {n2} "
            "studies with {n} patients in total were pooled with random effects.",
        ),
    ),
    "sysrev": Kind(
        design="systematic-review",
        pub_types=("Journal Article", "Systematic Review"),
        titles=(
            "Efficacy and safety of rituximab in systemic sclerosis: a systematic review of {n2} "
            "studies",
        ),
        methods=(
            "We systematically reviewed {n2} studies ({n} patients) of rituximab in SSc, "
            "without pooling because of heterogeneity.",
        ),
    ),
    "biosimilar": Kind(
        design="cohort",
        pub_types=("Journal Article",),
        titles=("The rituximab biosimilar CT-P10 in systemic sclerosis: a cohort of {n} patients",),
        methods=(
            "Patients with SSc switched to or started CT-P10 ({dose}) were followed for "
            "{months} months; {n} were analysed.",
        ),
    ),
}

CORE_PLAN: dict[str, list[tuple[str, str, int]]] = {
    "rct": [(S, S, 3), (S, I, 1), (C, C, 1), (C, I, 1), (I, S, 1)],
    "followup": [(S, S, 2), (S, I, 1)],
    "cohort": [(S, S, 10), (S, I, 6), (S, C, 3), (C, C, 3), (C, I, 2), (I, I, 2), (I, S, 2)],
    "ig-cohort": [(S, S, 4), (S, I, 2)],
    "case-series": [(S, S, 5), (S, I, 4), (C, C, 2), (I, I, 2)],
    "case-report": [(S, S, 6), (S, I, 4), (C, C, 2), (I, S, 2)],
    "meta": [(S, S, 3), (S, I, 3)],
    "sysrev": [(S, I, 3)],
    "biosimilar": [(S, I, 2)],
}


def core_mesh(rng: random.Random, ild: bool, kind: str) -> list[MeshEntry]:
    """MeSH for a core study; majors on the disease and the drug, as indexers mark them."""
    mesh = [
        (*SSC, True, [Q_DRUG]),
        (*RTX, True, [Q_USE]),
        ("Humans", "D006801", False, []),
        ("Female", "D005260", False, []),
        ("Middle Aged", "D008875", False, []),
        ("Treatment Outcome", "D016896", False, []),
    ]
    if ild:
        mesh += [
            ("Lung Diseases, Interstitial", "D017563", False, [Q_DRUG]),
            ("Vital Capacity", "D014797", False, []),
        ]
    if rng.random() < 0.5:
        mesh.append(("Antigens, CD20", "D018941", False, [("immunology", "Q000276", False)]))
    if kind == "rct":
        mesh.append(("Double-Blind Method", "D004311", False, []))
    if kind == "ig-cohort":
        mesh += [
            ("Immunoglobulin A", "D007070", False, [("blood", "Q000097", False)]),
            ("Immunoglobulin M", "D007075", False, [("blood", "Q000097", False)]),
        ]
    return sorted(mesh)


def core_keywords(rng: random.Random, ild: bool) -> list[str]:
    words = ["systemic sclerosis", "rituximab", "B cells", "modified Rodnan skin score"]
    if ild:
        words += ["interstitial lung disease", "forced vital capacity"]
    rng.shuffle(words)
    return words


def _item(
    title: str | tuple[str, ...],
    background: str,
    methods: str,
    results: str,
    conclusions: str,
    **extra: Any,
) -> dict[str, Any]:
    return {
        "title": title,
        "sections": [
            ("BACKGROUND", background),
            ("METHODS", methods),
            ("RESULTS", results),
            ("CONCLUSIONS", conclusions),
        ],
        **extra,
    }


# (disease phrase, its MeSH, outcome phrase) for rituximab outside SSc.
_RTX_ELSEWHERE = (
    ("rheumatoid arthritis", ("Arthritis, Rheumatoid", "D001172"), "DAS28 remission"),
    (
        "ANCA-associated vasculitis",
        ("Anti-Neutrophil Cytoplasmic Antibody-Associated Vasculitis", "D056648"),
        "sustained remission",
    ),
    (
        "diffuse large B-cell lymphoma",
        ("Lymphoma, Large B-Cell, Diffuse", "D016403"),
        "progression-free survival",
    ),
    ("pemphigus vulgaris", ("Pemphigus", "D010392"), "complete remission off therapy"),
    ("idiopathic inflammatory myopathy", ("Myositis", "D009220"), "total improvement score"),
    (
        "membranous nephropathy",
        ("Glomerulonephritis, Membranous", "D015433"),
        "remission of proteinuria",
    ),
)
# (drug, its MeSH) studied in SSc without rituximab.
_SSC_OTHER = (
    ("nintedanib", ("Indoles", "D007211")),
    ("tocilizumab", ("Antibodies, Monoclonal, Humanized", "D061067")),
    ("mycophenolate mofetil", ("Mycophenolic Acid", "D009173")),
    ("cyclophosphamide", ("Cyclophosphamide", "D003520")),
    (
        "autologous haematopoietic stem cell transplantation",
        ("Hematopoietic Stem Cell Transplantation", "D018380"),
    ),
)
_DESIGNS = (
    (
        "a randomised controlled trial of {n} patients",
        "rct",
        ("Journal Article", "Randomized Controlled Trial"),
    ),
    ("a cohort study of {n} patients", "cohort", ("Journal Article", "Observational Study")),
    ("{review}", "review", ("Journal Article", "Review")),
    ("{case}", "case-report", ("Journal Article", "Case Reports")),
)
_H: MeshEntry = ("Humans", "D006801", False, [])


def fixed_groups() -> list[tuple[str, list[dict[str, Any]], int]]:
    """(category, records, copies of each) for everything that is not a core study."""
    off: list[dict[str, Any]] = []
    for disease, mesh, outcome in _RTX_ELSEWHERE:
        for phrase, design, pts in _DESIGNS:
            off.append(
                _item(
                    f"Rituximab in {disease}: {phrase}",
                    f"Rituximab, an anti-CD20 antibody, is used in {disease}.",
                    f"We assessed {outcome} after rituximab over {{months}} months.",
                    f"{outcome.capitalize()} was reached in {{x:.0f}}0% of patients ({{p}}).",
                    f"Rituximab is a reasonable option in {disease}.",
                    design=design,
                    pub_types=pts,
                    kind="rtx-other-disease",
                    mesh=[(*mesh, True, [Q_DRUG]), (*RTX, True, [Q_USE]), _H],
                )
            )
    for drug, mesh in _SSC_OTHER:
        for phrase, design, pts in _DESIGNS:
            off.append(
                _item(
                    f"{drug.capitalize()} in systemic sclerosis: {phrase}",
                    f"Systemic sclerosis (SSc) lacks disease-modifying treatment; {drug} has been "
                    "proposed for skin and lung disease.",
                    f"Patients with SSc received {drug} and were followed for {{months}} months.",
                    "FVC changed by {x:.1f}% predicted and mRSS by {x:.1f} points ({p}).",
                    f"{drug.capitalize()} deserves its place among SSc treatments.",
                    design=design,
                    pub_types=pts,
                    kind="ssc-other-drug",
                    mesh=[(*SSC, True, [Q_DRUG]), (*mesh, True, [Q_USE]), _H],
                )
            )
    mention_both = [
        _item(
            "Biologic therapy across rheumatic diseases: a national prescribing survey",
            "Prescribing of biologics varies between rheumatology units.",
            "We surveyed {n} rheumatologists about biologic use in practice.",
            "Rituximab was most often chosen after TNF inhibitors; systemic sclerosis was the "
            "least common indication for any biologic.",
            "Access to biologics differs by region.",
            design="other",
            kind="mentions-both",
        ),
        _item(
            "Tocilizumab for early diffuse cutaneous systemic sclerosis: a cohort study",
            "Earlier studies tested rituximab and cyclophosphamide in SSc; interleukin-6 "
            "blockade is less studied.",
            "We followed {n} patients with early SSc treated with tocilizumab.",
            "FVC was preserved and mRSS fell by {x:.1f} points ({p}).",
            "Tocilizumab may preserve lung function in early SSc.",
            design="cohort",
            kind="mentions-both",
        ),
        _item(
            "Infections in patients receiving rituximab for autoimmune disease in a tertiary "
            "centre",
            "Rituximab raises the risk of infection.",
            "We reviewed {n} patients with rheumatoid arthritis or vasculitis; patients with "
            "scleroderma were excluded.",
            "Serious infections occurred in {x:.0f}% ({p}).",
            "Infection risk after rituximab is highest in the first six months.",
            design="cohort",
            kind="mentions-both",
        ),
    ]
    unrelated = [
        _item(
            "Statin use and heart failure admissions in {n} adults: a cohort study",
            "Statins may affect heart failure outcomes.",
            "We followed {n} adults.",
            "Admissions fell by {x:.0f}% ({p}).",
            "Statins were linked to fewer admissions.",
            design="cohort",
            kind="unrelated",
        ),
        _item(
            "Vitamin D and falls in {n} older adults: a randomised trial",
            "Falls are common in older adults.",
            "We randomised {n} adults to vitamin D.",
            "Falls did not differ ({p}).",
            "Vitamin D did not prevent falls.",
            design="rct",
            kind="unrelated",
            pub_types=["Journal Article", "Randomized Controlled Trial"],
        ),
    ]
    related = [
        _item(
            "Rituximab versus cyclophosphamide for connective tissue disease interstitial lung "
            "disease including systemic sclerosis: a trial in {n} patients",
            "Lung disease complicates several connective tissue diseases.",
            "We randomised {n} patients with SSc, myositis or "
            "mixed connective tissue disease to rituximab or cyclophosphamide.",
            "FVC improved similarly in both arms ({p}); the SSc subgroup was small.",
            "Rituximab was not better than cyclophosphamide across diseases.",
            design="rct",
            kind="ctd-ild",
            stances={"fvc-improvement": I},
            pub_types=["Journal Article", "Randomized Controlled Trial"],
        ),
        _item(
            "Hypogammaglobulinaemia after rituximab in {n} patients with autoimmune diseases, "
            "including scleroderma",
            "Low immunoglobulins follow B-cell depletion.",
            "We measured IgG in {n} patients given rituximab for several autoimmune diseases.",
            "IgG fell below normal in {x:.0f}% of patients ({p}).",
            "Immunoglobulins should be monitored after rituximab.",
            design="cohort",
            kind="ig-safety",
        ),
        _item(
            "B cells in {n} skin biopsies from systemic sclerosis: a target for anti-CD20 therapy?",
            "B cells infiltrate SSc skin.",
            "We studied skin biopsies from {n} patients.",
            "B-cell infiltrates correlated with skin thickness ({p}).",
            "These data support testing B-cell depletion in SSc.",
            design="other",
            kind="mechanism",
        ),
        _item(
            (
                "Treatment of SSc-ILD: immunosuppression, antifibrotics and B-cell depletion",
                "Choosing a drug for lung disease in systemic sclerosis, from mycophenolate to "
                "rituximab",
                "Interstitial lung disease in SSc: current treatment options",
            ),
            "Several drugs now treat SSc-ILD.",
            "We review mycophenolate, cyclophosphamide, nintedanib, tocilizumab and rituximab.",
            "Evidence for rituximab in SSc-ILD rests mostly on small studies.",
            "Randomised multicentre trials are still needed.",
            design="review",
            kind="ild-review",
            pub_types=["Journal Article", "Review"],
        ),
        _item(
            "Rituximab in overlap of systemic sclerosis and myositis: {n} patients",
            "Overlap myositis is frequent in SSc.",
            "We describe {n} patients with SSc-myositis overlap treated with rituximab.",
            "Muscle strength improved in most ({p}).",
            "Rituximab may help overlap myositis.",
            design="case-series",
            kind="overlap",
        ),
    ]
    core_reviews = [
        _item(
            (
                "Rituximab in systemic sclerosis: a narrative review",
                "B-cell depletion for systemic sclerosis: where do we stand?",
                "Rituximab for skin and lung disease in SSc: a review for clinicians",
                "Anti-CD20 therapy in scleroderma: an update",
            ),
            "B-cell depletion has been studied in SSc for two decades.",
            "We review trials, cohorts and case series of rituximab in SSc.",
            "Most studies report softer skin and stable or better FVC, but few are controlled.",
            "Randomised, double-blind, multicentre trials are still needed.",
            design="review",
            kind="review",
            pub_types=["Journal Article", "Review"],
            stances={"mrss-improvement": S, "multicentre-rct-needed": S},
            mesh=[(*SSC, True, [Q_DRUG]), (*RTX, True, [Q_USE]), _H],
        ),
        _item(
            (
                "Protocol for a multicentre, double-blind, randomised trial of rituximab in "
                "systemic sclerosis",
                "Rituximab versus placebo for early diffuse cutaneous systemic sclerosis: "
                "protocol of a randomised multicentre trial",
            ),
            "Uncontrolled studies suggest rituximab helps SSc.",
            "This trial will randomise {n} patients with SSc to rituximab or placebo for "
            "{months} months; the primary outcome is the change in mRSS.",
            "Recruitment started this year.",
            "The trial will answer whether rituximab improves skin and lung in SSc.",
            design="trial-protocol",
            kind="protocol",
            pub_types=["Journal Article", "Clinical Trial Protocol"],
            stances={"multicentre-rct-needed": "addresses"},
            mesh=[(*SSC, True, [Q_DRUG]), (*RTX, True, [Q_USE]), _H],
        ),
    ]
    return [
        ("off", off, 3),
        ("off", mention_both, 4),
        ("off", unrelated, 10),
        ("related", related, 6),
        ("core", core_reviews[:1], 10),
        ("core", core_reviews[1:], 4),
    ]
