"""On-topic records for the backfill benchmark, in the language of the dev set.

A user's first poll backfills records the default search finds: papers on rituximab in
systemic sclerosis, which the classifier reads to the end (off-topic records classify fast and
would flatter the poll). The text of the records comes from the core and related abstracts of
``../shared/eval/dev.jsonl``, read in place; when that file is absent, from our own gold
abstracts set in full structured abstracts (``full_abstracts.py``). The texts are cycled
under distinct PMIDs, ``per_day`` created a day, with varied journals, authors and dates, and
only texts the default search matches are used, so the poll finds every record.
"""

from __future__ import annotations

import html
import random
from dataclasses import dataclass
from datetime import date, timedelta
from pathlib import Path

from litwatch.fake_eutils.xmlbuild import PUB_TYPE_UI, ArticleSpec, AuthorSpec, render_article

REPO = Path(__file__).resolve().parent.parent
DEV_SET = REPO.parent / "shared" / "eval" / "dev.jsonl"
GOLD = REPO / "tests" / "data" / "gold.jsonl"

_JOURNALS = [
    ("Journal of Scleroderma Studies", "J Scler Stud", "2999-1001"),
    ("Rheumatology Reports", "Rheumatol Rep", "2999-1002"),
    ("Clinical Immunology Letters", "Clin Immunol Lett", "2999-1003"),
]
_LAST = "Aalto Berg Costa Dahl Engel Fiore Grant Haas Ito Jensen Kovac Lindqvist".split()
_FORE = "Anna Bruno Chiara Daniel Eva Filip Hana Igor Julia Karl Lena Marco".split()


@dataclass(frozen=True, slots=True)
class Text:
    """The words of one record: title, abstract sections and publication types."""

    title: str
    sections: tuple[tuple[str, str, str], ...]  # label, category, plain text
    pub_types: tuple[str, ...]


def on_topic_texts() -> tuple[list[Text], str]:
    """The texts to cycle, and where they came from (said in the benchmark's output)."""
    from litwatch.judging.gold import load_gold

    if DEV_SET.is_file():
        gold = [g for g in load_gold(DEV_SET) if g.relevance in ("core", "related")]
        texts = [
            Text(
                g.title, (("", "", g.abstract),), tuple(g.publication_types) or ("Journal Article",)
            )
            for g in gold
        ]
        return texts, f"the {len(texts)} core and related abstracts of {DEV_SET.name}"
    from bench.full_abstracts import full_abstracts

    gold = [g for g in load_gold(GOLD) if g.relevance in ("core", "related")]
    articles = full_abstracts([g.to_article() for g in gold])
    texts = [
        Text(
            html.unescape(a.title),
            tuple((s.label, s.category, html.unescape(s.text)) for s in a.abstract_sections),
            tuple(a.publication_types) or ("Journal Article",),
        )
        for a in articles
    ]
    where = f"{len(texts)} of our own on-topic abstracts ({DEV_SET} is absent)"
    return texts, where


def render_records(
    texts: list[Text], n: int, *, start_pmid: int, crdt_start: date, per_day: int, seed: int = 0
) -> list[str]:
    """``n`` ``<PubmedArticle>`` strings cycling through ``texts``."""
    rng = random.Random(seed)
    out = []
    for i in range(n):
        text = texts[i % len(texts)]
        created = crdt_start + timedelta(days=i // per_day)
        journal, iso, issn = _JOURNALS[i % len(_JOURNALS)]
        authors = [
            AuthorSpec(rng.choice(_LAST), rng.choice(_FORE), f"Department {rng.randint(1, 40)}")
            for _ in range(rng.randint(1, 6))
        ]
        out.append(
            render_article(
                ArticleSpec(
                    pmid=str(start_pmid + i),
                    title=text.title,
                    journal=journal,
                    journal_iso=iso,
                    issn=issn,
                    pub_date=created - timedelta(days=rng.randrange(60)),
                    created=created,
                    revised=created + timedelta(days=rng.randrange(30)),
                    sections=[] if _plain(text) else list(text.sections),
                    abstract=text.sections[0][2] if _plain(text) else "",
                    authors=authors,
                    volume=str(created.year - 1990),
                    issue=str(rng.randint(1, 12)),
                    pages=f"e{(start_pmid + i) % 100000}",
                    pub_types=[p for p in text.pub_types if p in PUB_TYPE_UI]
                    or ["Journal Article"],
                )
            )
        )
    return out


def _plain(text: Text) -> bool:
    """One section without a label: written as a plain AbstractText, as PubMed does."""
    return len(text.sections) == 1 and not text.sections[0][0]


def matching(texts: list[Text], query: str) -> list[Text]:
    """The texts the fake E-utilities server finds with ``query`` (one record each)."""
    from litwatch.fake_eutils.corpus import Corpus
    from litwatch.fake_eutils.query import parse
    from litwatch.fake_eutils.xmlbuild import render_set

    corpus = Corpus()
    corpus.add_records(
        render_set(
            render_records(texts, len(texts), start_pmid=1, crdt_start=date(2024, 1, 1), per_day=1)
        )
    )
    found = set(corpus.search(parse(query)))
    return [t for i, t in enumerate(texts) if str(1 + i) in found]
