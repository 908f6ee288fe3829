"""Words and sentence templates for the demo corpus (all of it fictional, written for litwatch).

Templates are ``str.format`` strings; ``say(rng, pool, **values)`` picks one and fills it in, so
records that share a design still read differently.
"""

from __future__ import annotations

import random

LAST_NAMES = (
    "Arnhold Bellweather Castellan Dorvani Eskildsen Fenwick Galloway Hartigan Iwasaki Jandrell "
    "Kettering Lindqvist Marchetti Nakashima Okonkwo Pellegrin Quenneville Rasmussen Salgado "
    "Thornquist Ulbrecht Valcourt Whitcombe Xanthou Yamaguchi Zeller Abernathy Brisco Demir "
    "Emberly Fontaine Grieve Holloway Ibarra Kowalczyk Lemaire Moravec Novak Ostrander Paredes"
).split()
FORE_NAMES = (
    "Amara Bastian Celine Dario Elif Frode Greta Hideo Ilse Joaquin Katja Lorenzo Mireille "
    "Nadia Oskar Priya Quentin Rosalind Soren Tamsin Ugo Vera Wendel Yusuf Zofia Anneke"
).split()
CENTRES = (
    ("Harbourview University Hospital", "Lisbon, Portugal"),
    ("Northgate Medical Centre", "Leeds, United Kingdom"),
    ("Riverside Clinic for Rheumatic Diseases", "Utrecht, Netherlands"),
    ("Kestrel Institute of Immunology", "Lyon, France"),
    ("Mount Alder Hospital", "Toronto, Canada"),
    ("Saltmarsh University Medical School", "Kobe, Japan"),
    ("Elmbrook Teaching Hospital", "Melbourne, Australia"),
    ("Castleford Academic Medical Centre", "Zurich, Switzerland"),
    ("Lakeshore Rheumatology Institute", "Chicago, United States"),
    ("Weston Hill University Clinic", "Leipzig, Germany"),
    ("Greyfriars Hospital", "Bergen, Norway"),
    ("Palmera University Hospital", "Valencia, Spain"),
)
DEPARTMENTS = (
    "Rheumatology",
    "Clinical Immunology",
    "Respiratory Medicine",
    "Dermatology",
    "Internal Medicine",
    "Haematology",
    "Nephrology",
)
JOURNALS = (
    ("Journal of Connective Tissue Disease Research", "J Connect Tissue Dis Res", "2998-1001"),
    ("Scleroderma and Fibrosis Reports", "Scleroderma Fibrosis Rep", "2998-1002"),
    ("Annals of Clinical Rheumatology and Immunology", "Ann Clin Rheumatol Immunol", "2998-1003"),
    ("Lung and Autoimmunity", "Lung Autoimmun", "2998-1004"),
    ("International Review of Immunotherapy", "Int Rev Immunother", "2998-1005"),
    ("Case Notes in Rheumatology", "Case Notes Rheumatol", "2998-1006"),
    ("Evidence Synthesis in Medicine", "Evid Synth Med", "2998-1007"),
    ("Trials in Practice", "Trials Pract", "2998-1008"),
)

BACKGROUND_SSC = (
    "Systemic sclerosis (SSc) is a connective tissue disease in which fibrosis of the skin and "
    "internal organs follows vasculopathy and autoimmunity.",
    "Interstitial lung disease is the leading cause of death in systemic sclerosis (SSc), and "
    "few treatments slow it.",
    "B cells are activated in systemic sclerosis and are thought to drive fibrosis through "
    "autoantibodies, cytokines and contact with fibroblasts.",
    "Skin thickening in diffuse cutaneous systemic sclerosis predicts internal organ involvement "
    "and death, and treatments that soften the skin are sought.",
)
BACKGROUND_RTX = (
    "Rituximab, a chimeric anti-CD20 monoclonal antibody, depletes circulating B cells.",
    "B-cell depletion with rituximab has been tried in SSc with encouraging but uncontrolled "
    "results.",
    "Whether rituximab helps the skin or the lungs in SSc is still debated.",
    "The place of rituximab among immunosuppressive treatments for SSc remains uncertain.",
)
MRSS = {
    "supports": (
        "The mean modified Rodnan skin score (mRSS) fell from {b:.1f} to {a:.1f} at {m} months "
        "({p}).",
        "Skin thickening improved: the mRSS decreased by {d:.1f} points from baseline ({p}).",
        "mRSS improved in {k} of {n} patients, with a median fall of {d:.0f} points ({p}).",
    ),
    "contradicts": (
        "The mRSS did not change significantly ({b:.1f} at baseline and {a:.1f} at {m} months; "
        "{p}).",
        "No significant improvement in skin score was seen: the mRSS change was {d2:+.1f} points "
        "({p}).",
        "Skin involvement was unchanged after treatment (mRSS {b:.1f} before, {a:.1f} after; {p}).",
    ),
    "inconclusive": (
        "The mRSS fell by {d:.1f} points, but the confidence interval included no change "
        "(95% CI {lo:.1f} to {hi:.1f}).",
        "Skin scores varied widely between patients, and the mean mRSS change of {d:.1f} points "
        "did not reach significance ({p}).",
    ),
}
FVC = {
    "supports": (
        "Forced vital capacity (FVC) rose from {b:.1f}% to {a:.1f}% of predicted ({p}).",
        "FVC % predicted improved by {d:.1f} points over {m} months ({p}).",
        "Lung function improved, with a mean FVC gain of {d:.1f}% predicted ({p}).",
    ),
    "contradicts": (
        "FVC declined from {b:.1f}% to {a:.1f}% of predicted despite treatment ({p}).",
        "Lung function worsened: FVC % predicted fell by {d:.1f} points ({p}).",
        "FVC did not improve and decreased in {k} of {n} patients ({p}).",
    ),
    "inconclusive": (
        "FVC remained stable ({b:.1f}% at baseline and {a:.1f}% at {m} months of predicted; {p}).",
        "The change in FVC % predicted was small ({d:+.1f} points) and not significant ({p}).",
    ),
}
CONCLUSION = {
    ("supports", "supports"): (
        "Rituximab improved both skin and lung involvement in SSc.",
        "These results support rituximab for skin fibrosis and interstitial lung disease in SSc.",
    ),
    ("supports", "inconclusive"): (
        "Rituximab softened the skin and kept lung function stable in SSc.",
        "Rituximab improved skin fibrosis in SSc; its effect on the lungs was less clear.",
    ),
    ("supports", "contradicts"): (
        "Skin improved with rituximab, but lung function still declined in this SSc population.",
    ),
    ("contradicts", "contradicts"): (
        "In this population rituximab did not improve skin or lung involvement of SSc.",
        "These findings temper expectations of B-cell depletion in SSc.",
    ),
    ("contradicts", "inconclusive"): (
        "Rituximab did not improve skin thickening, although lung function stayed stable.",
    ),
    ("inconclusive", "supports"): (
        "Lung function improved with rituximab; the effect on the skin was uncertain.",
    ),
    ("inconclusive", "inconclusive"): (
        "The effect of rituximab in SSc remains uncertain; larger studies are needed.",
    ),
}
NEED_RCT = (
    "Randomised, double-blind, multicentre trials of adequate size and follow-up are still needed.",
    "Properly powered multicentre randomised controlled trials should now test these findings.",
    "Controlled trials with defined sample size and longer follow-up are needed before firm "
    "recommendations can be made.",
)
IG = {
    True: (
        "Serum IgA correlated with the mRSS (r={r:.2f}, P<0.01), and patients with low IgM, IgA "
        "or IgG before treatment had larger FVC gains ({p}).",
        "Lower baseline immunoglobulin levels went with a greater improvement in FVC ({p}); the "
        "mRSS tracked serum IgA (r={r:.2f}, P<0.01).",
    ),
    False: (
        "Serum IgA did not correlate with the mRSS (r={r:.2f}, {p}), and immunoglobulin levels "
        "did not predict the FVC response.",
    ),
}
SAFETY = (
    "Infusion reactions occurred in {k} patients; {s} serious infections were recorded.",
    "Treatment was well tolerated; {s} patients had a serious infection.",
    "Adverse events were mostly mild, and no new safety signal emerged.",
)


def p_value(rng: random.Random, significant: bool) -> str:
    """A p-value phrase on the chosen side of 0.05."""
    if significant:
        return rng.choice(("p=0.001", "p=0.003", "p<0.001", "p=0.01", "p=0.02", "p=0.04"))
    return rng.choice(("p=0.18", "p=0.27", "p=0.41", "p=0.56", "p=0.73"))


def say(rng: random.Random, pool: tuple[str, ...], **values: object) -> str:
    """One template from ``pool``, filled with ``values``."""
    return rng.choice(pool).format(**values)


def outcome_sentence(
    rng: random.Random,
    table: dict[str, tuple[str, ...]],
    stance: str,
    *,
    n: int,
    months: int,
    base: float,
) -> str:
    """A results sentence on mRSS or FVC whose numbers agree with ``stance``."""
    if table is MRSS:
        d = {
            "supports": rng.uniform(4, 11),
            "contradicts": rng.uniform(-1.5, 1.2),
            "inconclusive": rng.uniform(1.0, 3.5),
        }[stance]
        after = base - d
    else:
        d = {
            "supports": rng.uniform(3, 9),
            "contradicts": rng.uniform(-8, -2.5),
            "inconclusive": rng.uniform(-1.5, 1.5),
        }[stance]
        after = base + d
    return say(
        rng,
        table[stance],
        b=base,
        a=after,
        d=abs(d),
        d2=-d if table is MRSS else d,
        m=months,
        n=n,
        k=max(1, round(n * rng.uniform(0.3, 0.8))),
        lo=-d - 3.1,
        hi=-d + 3.4,
        p=p_value(rng, stance == "supports" or (stance == "contradicts" and table is FVC)),
    )
