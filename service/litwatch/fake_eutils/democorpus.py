"""The demo corpus: about 300 fictional PubMed records on rituximab in systemic sclerosis.

Core studies (trials, cohorts, case reports, reviews, protocols, a retraction and an erratum),
related ones, and near misses (rituximab in other diseases, SSc with other drugs, papers that
name both in passing). PMIDs start at 90000001, far from real ones.

``python -m litwatch.fake_eutils.democorpus`` rewrites ``demo_corpus/`` deterministically.
"""

from __future__ import annotations

import json
import random
from dataclasses import dataclass, field
from datetime import date, timedelta
from pathlib import Path
from typing import Any

from litwatch.fake_eutils import demo_text as T
from litwatch.fake_eutils import demo_topics as K
from litwatch.fake_eutils.corpus import Corpus
from litwatch.fake_eutils.xmlbuild import ArticleSpec, AuthorSpec, render_article, render_set

DEMO_DIR = Path(__file__).resolve().parent / "demo_corpus"
FIRST_PMID = 90_000_001
LATEST = date(2026, 11, 24)  # the newest create date in the corpus
PER_FILE = 50
SEED = 20261124
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
    return drafts + [retracted, notice, corrected, erratum]


def _dates(rng: random.Random, drafts: list[Draft]) -> None:
    """Spread create dates over 2005-2026; the last week before LATEST gets a few records."""
    start = date(2005, 1, 1)
    span = (LATEST - timedelta(days=30) - start).days
    for d in drafts:
        d.created = start + timedelta(days=rng.randrange(span))
    recent = rng.sample([d for d in drafts if not d.link], 10)
    for d in recent:
        d.created = LATEST - timedelta(days=rng.randrange(8))
    by_link: dict[str, list[Draft]] = {}
    for d in drafts:
        if d.link:
            by_link.setdefault(d.link, []).append(d)
    for first, second in by_link.values():  # a notice follows its article by months
        second.created = min(first.created + timedelta(days=rng.randint(120, 500)), LATEST)


def _spec(rng: random.Random, d: Draft) -> ArticleSpec:
    journal, iso, issn = rng.choice(T.JOURNALS)
    authors = []
    for _ in range(1 if d.design == "case-report" and rng.random() < 0.3 else rng.randint(2, 9)):
        centre, city = rng.choice(T.CENTRES)
        authors.append(
            AuthorSpec(
                rng.choice(T.LAST_NAMES),
                rng.choice(T.FORE_NAMES),
                f"Department of {rng.choice(T.DEPARTMENTS)}, {centre}, {city}.",
            )
        )
    recent = (LATEST - d.created).days < 60
    return ArticleSpec(
        pmid=d.pmid,
        title=d.title,
        journal=journal,
        journal_iso=iso,
        issn=issn,
        pub_date=d.created + timedelta(days=rng.randint(0, 40)),
        created=d.created,
        revised=d.created + timedelta(days=rng.randint(0, 20 if recent else 900)),
        sections=[s for s in d.sections if s[0]],
        abstract=d.sections[0][2] if not d.sections[0][0] else "",
        authors=authors,
        volume=str(d.created.year - 1985),
        issue=str(rng.randint(1, 12)),
        pages=f"{rng.randint(1, 900)}-{rng.randint(901, 999)}",
        pub_types=d.pub_types,
        # Records created in the last weeks are not indexed yet: no MeSH, as in PubMed.
        mesh=[] if recent else d.mesh,
        keywords=d.keywords,
        registry=d.registry,
        corrections=d.corrections,
        doi=f"10.9998/demo.{d.pmid}",
        status="In-Data-Review" if recent else "MEDLINE",
        publication_status="aheadofprint" if recent else "ppublish",
    )


def build(seed: int = SEED) -> tuple[list[str], list[dict[str, Any]]]:
    """Rendered records (oldest first) and the manifest entries describing them."""
    rng = random.Random(seed)
    drafts = build_drafts(rng)
    _dates(rng, drafts)
    drafts.sort(key=lambda d: d.created)
    for i, d in enumerate(drafts):
        d.pmid = str(FIRST_PMID + i)
    links = {(d.link, d.kind.endswith("notice")): d for d in drafts if d.link}
    ref_types = {
        "retraction": ("RetractionIn", "RetractionOf"),
        "erratum": ("ErratumIn", "ErratumFor"),
    }
    for (link, is_notice), d in links.items():
        other = links[(link, not is_notice)]
        ref = ref_types[link][1 if is_notice else 0]
        d.corrections.append(
            (ref, f"{other.created:%Y %b %d}. doi: 10.9998/demo.{other.pmid}.", other.pmid)
        )
    records, manifest = [], []
    for d in drafts:
        records.append(render_article(_spec(rng, d)))
        manifest.append(
            {
                "pmid": d.pmid,
                "category": d.category,
                "design": d.design,
                "kind": d.kind,
                "stances": d.stances,
                "flags": d.flags,
                "created": d.created.isoformat(),
                "title": d.title,
            }
        )
    return records, manifest


def write(directory: Path = DEMO_DIR, seed: int = SEED) -> list[Path]:
    """(Re)write the demo corpus files and manifest.json into ``directory``."""
    directory.mkdir(parents=True, exist_ok=True)
    for old in directory.glob("demo_*.xml"):
        old.unlink()
    records, manifest = build(seed)
    paths = []
    for k in range(0, len(records), PER_FILE):
        path = directory / f"demo_{k // PER_FILE + 1:02d}.xml"
        path.write_bytes(render_set(records[k : k + PER_FILE]))
        paths.append(path)
    (directory / "manifest.json").write_text(json.dumps(manifest, indent=1) + "\n")
    return paths


def load_demo_corpus() -> Corpus:
    """The shipped demo corpus, loaded."""
    return Corpus.from_dir(DEMO_DIR)


def load_manifest() -> list[dict[str, Any]]:
    """Each demo PMID with its intended category, design, stances and flags."""
    return json.loads((DEMO_DIR / "manifest.json").read_text())  # type: ignore[no-any-return]


if __name__ == "__main__":
    written = write()
    print(f"wrote {len(written)} files to {DEMO_DIR}")
