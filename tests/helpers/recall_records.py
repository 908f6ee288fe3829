"""Two records the default query misses and its disease block finds: the drug is named only
by a biosimilar's brand (Rixathon) or by its target (CD20-targeted, Blitzima).

Written for the recall-audit tests; PMIDs far from the demo corpus's.
"""

from __future__ import annotations

from datetime import date

from litwatch.fake_eutils.corpus import Corpus
from litwatch.fake_eutils.democorpus import load_demo_corpus
from litwatch.fake_eutils.xmlbuild import ArticleSpec, AuthorSpec, render_article, render_set

BRAND_ONLY = "99100001"
TARGET_ONLY = "99100002"
MISSED = {BRAND_ONLY, TARGET_ONLY}
CREATED = date(2026, 10, 6)

_SPECS = [
    ArticleSpec(
        pmid=BRAND_ONLY,
        title="Rixathon in diffuse cutaneous systemic sclerosis: a prospective cohort study",
        journal="Journal of Scleroderma Practice",
        journal_iso="J Scler Pract",
        issn="2999-0101",
        pub_date=CREATED,
        created=CREATED,
        abstract=(
            "We followed 28 patients with diffuse cutaneous systemic sclerosis (SSc) who were "
            "given the biosimilar Rixathon, 1000 mg twice two weeks apart, in a prospective "
            "cohort study at two centres. The modified Rodnan skin score fell from 24 to 15 "
            "after 12 months of Rixathon, and forced vital capacity was stable. Treatment with "
            "Rixathon was well tolerated in patients with SSc."
        ),
        authors=[AuthorSpec("Ostrander", "Mira", "Department of Rheumatology, Vell Hospital")],
        pub_types=["Journal Article"],
    ),
    ArticleSpec(
        pmid=TARGET_ONLY,
        title=(
            "CD20-targeted therapy with Blitzima for interstitial lung disease in systemic "
            "sclerosis: a case series"
        ),
        journal="Journal of Scleroderma Practice",
        journal_iso="J Scler Pract",
        issn="2999-0101",
        pub_date=CREATED,
        created=CREATED,
        abstract=(
            "We describe six patients with systemic sclerosis and progressive interstitial lung "
            "disease (SSc-ILD) treated with Blitzima, a CD20-targeted antibody. Forced vital "
            "capacity rose by a mean of 6% at one year, and no patient needed oxygen. "
            "CD20-targeted therapy with Blitzima may stabilise SSc-ILD."
        ),
        authors=[AuthorSpec("Quillan", "Teo", "Department of Pulmonology, Harth Clinic")],
        pub_types=["Journal Article", "Case Reports"],
    ),
]


def recall_records() -> bytes:
    """The two records as one PubmedArticleSet."""
    return render_set([render_article(s) for s in _SPECS])


def audit_corpus() -> Corpus:
    """The demo corpus with the two records added."""
    corpus = Corpus(load_demo_corpus().records())
    corpus.add_records(recall_records())
    return corpus
