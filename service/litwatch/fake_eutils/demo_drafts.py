"""The demo corpus's records as drafts: what each says, before it has a PMID and dates.

Core studies of rituximab in SSc written to read as a given stance on the skin and lung
findings, the related and off-topic records of ``demo_topics``, and a retraction and an erratum
with their notices. ``democorpus`` dates them, numbers them and writes them as PubMed XML.
"""

from __future__ import annotations

import random
from dataclasses import dataclass, field
from datetime import date
from typing import Any

from litwatch.fake_eutils import demo_text as T
from litwatch.fake_eutils import demo_topics as K

S = "supports"


@dataclass(slots=True)
class Draft:
    """A record before it has a PMID and dates."""

    title: str
    sections: list[tuple[str, str, str]]
    category: str  # core | related | off
    design: str
    pub_types: list[str] = field(default_factory=lambda: ["Journal Article"])
    mesh: list[tuple[str, str, bool, list[tuple[str, str, bool]]]] = field(default_factory=list)
    keywords: list[str] = field(default_factory=list)
    stances: dict[str, str] = field(default_factory=dict)
    flags: list[str] = field(default_factory=list)
    registry: list[str] = field(default_factory=list)
    kind: str = ""
    link: str = ""  # pairs a retracted/corrected record with its notice
    created: date = date.min  # set by _dates
    pmid: str = ""
    corrections: list[tuple[str, str, str]] = field(default_factory=list)


def _sections(
    background: str, methods: str, results: str, conclusions: str
) -> list[tuple[str, str, str]]:
    return [
        ("BACKGROUND", "BACKGROUND", background),
        ("METHODS", "METHODS", methods),
        ("RESULTS", "RESULTS", results),
        ("CONCLUSIONS", "CONCLUSIONS", conclusions),
    ]


def _nct(rng: random.Random) -> str:
    return f"NCT0{rng.randint(1000000, 6999999)}"


def core_study(rng: random.Random, kind: str, mrss: str, fvc: str) -> Draft:
    """A study of rituximab in SSc whose results read as ``mrss``/``fvc`` stances."""
    n = {"rct": rng.randint(40, 160), "case-series": rng.randint(3, 11), "case-report": 1}.get(
        kind, rng.randint(15, 220)
    )
    months = rng.choice((6, 12, 18, 24, 36) if kind != "followup" else (48, 60, 72, 96))
    ild = rng.random() < 0.6
    age, n2 = rng.randint(28, 67), rng.randint(3, 18)
    spec = K.CORE_KINDS[kind]
    title = T.say(
        rng,
        spec.titles,
        n=n,
        months=months,
        place=rng.choice(T.CENTRES)[1],
        age=age,
        n2=n2,
        subset="interstitial lung disease" if ild else "diffuse cutaneous disease",
    )
    methods = T.say(
        rng,
        spec.methods,
        n=n,
        months=months,
        nct=_nct(rng),
        n2=n2,
        age=age,
        dose=rng.choice(
            (
                "two 1 g infusions two weeks apart",
                "375 mg/m2 weekly for four weeks",
                "1 g every six months",
            )
        ),
    )
    results = [
        T.outcome_sentence(rng, T.MRSS, mrss, n=n, months=months, base=rng.uniform(14, 28)),
        T.outcome_sentence(rng, T.FVC, fvc, n=n, months=months, base=rng.uniform(58, 82)),
    ]
    if kind in ("meta", "sysrev"):
        results.insert(0, "Across the included studies, results were as follows.")
    stances = {"mrss-improvement": mrss, "fvc-improvement": fvc}
    if kind == "ig-cohort":
        linked = rng.random() < 0.8
        results.append(
            T.say(
                rng,
                T.IG[linked],
                r=rng.uniform(0.35, 0.62) if linked else rng.uniform(-0.1, 0.12),
                p=T.p_value(rng, linked),
            )
        )
        stances["iga-mrss-correlation"] = S if linked else "contradicts"
        stances["low-ig-better-response"] = S if linked and fvc == S else "inconclusive"
    if kind != "case-report":
        results.append(T.say(rng, T.SAFETY, k=rng.randint(1, 6), s=rng.randint(0, 4)))
    conclusion = T.say(rng, T.CONCLUSION[(mrss, fvc)])
    if kind in ("cohort", "case-series") and rng.random() < 0.5:
        conclusion += " " + T.say(rng, T.NEED_RCT)
    if kind == "followup":
        stances["long-term-benefit"] = S if mrss == S else "contradicts"
    if kind == "rct" and "Multicenter Study" in spec.pub_types:
        stances["multicentre-rct-needed"] = "addresses"
    draft = Draft(
        title=title,
        sections=_sections(
            f"{T.say(rng, T.BACKGROUND_SSC)} {T.say(rng, T.BACKGROUND_RTX)}",
            methods,
            " ".join(results),
            conclusion,
        ),
        category="core",
        design=spec.design,
        pub_types=list(spec.pub_types),
        mesh=K.core_mesh(rng, ild, kind),
        keywords=K.core_keywords(rng, ild),
        stances=stances,
        kind=kind,
    )
    if kind in ("rct", "followup"):
        draft.registry = [_nct(rng)]
    return draft


def simple(rng: random.Random, category: str, item: dict[str, Any]) -> Draft:
    """A record from one of the fixed entries in ``demo_topics`` (reviews, near misses, ...)."""
    values = {
        "n": rng.randint(12, 400),
        "months": rng.choice((6, 12, 24, 36)),
        "p": T.p_value(rng, rng.random() < 0.6),
        "x": rng.uniform(1.5, 9.5),
        "review": rng.choice(("a narrative review", "a review of the evidence", "an update")),
        "case": rng.choice(("a case report", "report of a case", "a case with literature review")),
    }
    title = item["title"] if isinstance(item["title"], str) else rng.choice(item["title"])
    sections = [(lab, lab, str(text).format(**values)) for lab, text in item["sections"]]
    return Draft(
        title=title.format(**values),
        sections=sections,
        category=category,
        design=str(item.get("design", "other")),
        pub_types=list(item.get("pub_types", ["Journal Article"])),
        mesh=list(item.get("mesh", [])),
        keywords=list(item.get("keywords", [])),
        stances=dict(item.get("stances", {})),
        kind=str(item.get("kind", "")),
    )


def build_drafts(rng: random.Random) -> list[Draft]:
    """Every record of the demo corpus, in no particular order yet."""
    drafts: list[Draft] = []
    for kind, plan in K.CORE_PLAN.items():
        for mrss, fvc, count in plan:
            drafts.extend(core_study(rng, kind, mrss, fvc) for _ in range(count))
    for category, items, copies in K.fixed_groups():
        for item in items:
            drafts.extend(simple(rng, category, item) for _ in range(copies))
    # One cohort is later retracted, one trial gets an erratum; each has its notice.
    retracted = core_study(rng, "cohort", "supports", "supports")
    retracted.link, retracted.flags = "retraction", ["retracted"]
    retracted.pub_types.append("Retracted Publication")
    notice = Draft(
        title=f"Retraction notice to: {retracted.title}",
        sections=[
            (
                "",
                "",
                "This article has been retracted at the request of the authors: "
                "the rituximab-treated group in this systemic sclerosis cohort included "
                "patients counted twice, and the skin and lung results cannot be relied on.",
            )
        ],
        category="related",
        design="other",
        pub_types=["Retraction of Publication"],
        flags=["retraction-notice"],
        link="retraction",
        kind="retraction-notice",
    )
    corrected = core_study(rng, "rct", "supports", "supports")
    corrected.link, corrected.flags = "erratum", ["erratum"]
    erratum = Draft(
        title=f"Erratum: {corrected.title}",
        sections=[
            (
                "",
                "",
                "In the results of this rituximab trial in systemic sclerosis, the "
                "FVC change in the placebo group was misprinted; the corrected values do not "
                "change the conclusions.",
            )
        ],
        category="related",
        design="other",
        pub_types=["Published Erratum"],
        flags=["erratum-notice"],
        link="erratum",
        kind="erratum-notice",
    )
    return drafts + [retracted, notice, corrected, erratum, *_late_retraction(rng), *_trial(rng)]


def _late_retraction(rng: random.Random) -> list[Draft]:
    """A cohort retracted days after it appeared: known from its notice before the digest."""
    article = core_study(rng, "cohort", "supports", "inconclusive")
    article.link, article.flags = "late-retraction", ["retracted"]
    notice = Draft(
        title=f"Retraction: {article.title}",
        sections=[
            (
                "",
                "",
                "The editors retract this report of rituximab in systemic sclerosis: the skin "
                "scores of several patients were entered twice, and the authors agree.",
            )
        ],
        category="core",
        design="other",
        pub_types=["Retraction of Publication"],
        flags=["retraction-notice"],
        link="late-retraction",
        kind="retraction-notice",
    )
    return [article, notice]


def _trial(rng: random.Random) -> list[Draft]:
    """Two reports of one trial: the randomised comparison, and its open follow-up."""
    nct = _nct(rng)
    main = core_study(rng, "rct", "supports", "supports")
    main.title = f"{main.title.rstrip('.')}: the RECOVER-SSc trial"
    follow = core_study(rng, "followup", "supports", "supports")
    follow.title = f"Long-term follow-up of the RECOVER-SSc trial ({nct}): {follow.title}"
    for d in (main, follow):
        d.registry, d.link = [nct], "trial"
    follow.flags = ["same-trial"]  # dated after the main report, as a notice is
    return [main, follow]
