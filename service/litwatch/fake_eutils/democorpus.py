"""The demo corpus: about 300 fictional PubMed records on rituximab in systemic sclerosis.

Core studies (trials, cohorts, case reports, reviews, protocols, a retraction and an erratum),
related ones, and near misses (rituximab in other diseases, SSc with other drugs, papers that
name both in passing). PMIDs start at 90000001, far from real ones.

``python -m litwatch.fake_eutils.democorpus`` rewrites ``demo_corpus/`` deterministically.
"""

from __future__ import annotations

import json
import random
from datetime import date, timedelta
from pathlib import Path
from typing import Any

from litwatch.fake_eutils import demo_text as T
from litwatch.fake_eutils.corpus import Corpus
from litwatch.fake_eutils.demo_drafts import Draft, build_drafts
from litwatch.fake_eutils.xmlbuild import ArticleSpec, AuthorSpec, render_article, render_set

DEMO_DIR = Path(__file__).resolve().parent / "demo_corpus"
FIRST_PMID = 90_000_001
LATEST = date(2026, 11, 24)  # the newest create date in the corpus
PER_FILE = 50
SEED = 20261124


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
    for link, (first, second) in by_link.items():
        if link == "late-retraction":  # both in the last week: retracted before a digest
            first.created = LATEST - timedelta(days=rng.randint(4, 7))
            second.created = first.created + timedelta(days=rng.randint(1, 3))
        else:  # a notice, or a follow-up of a trial, comes months later
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


def _second(d: Draft) -> bool:
    """The later record of a pair: the notice, or the follow-up report of a trial."""
    return d.kind.endswith("notice") or "same-trial" in d.flags


def build(seed: int = SEED) -> tuple[list[str], list[dict[str, Any]]]:
    """Rendered records (oldest first) and the manifest entries describing them."""
    rng = random.Random(seed)
    drafts = build_drafts(rng)
    _dates(rng, drafts)
    drafts.sort(key=lambda d: d.created)
    for i, d in enumerate(drafts):
        d.pmid = str(FIRST_PMID + i)
    links = {(d.link, _second(d)): d for d in drafts if d.link}
    ref_types = {
        "retraction": ("RetractionIn", "RetractionOf"),
        "erratum": ("ErratumIn", "ErratumFor"),
        # PubMed has not updated the retracted record yet: only its notice says so.
        "late-retraction": ("", "RetractionOf"),
        "trial": ("", ""),  # two reports of one trial share a registry id, not a link
    }
    for (link, is_notice), d in links.items():
        other = links[(link, not is_notice)]
        ref = ref_types[link][1 if is_notice else 0]
        if not ref:
            continue
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
