"""Classification speed on one core: ``python -m bench.bench_classify [N]``.

Three corpora of ``N`` articles each, timed in turn in this one process:

* ``full``: our gold and held-out abstracts each set inside a full-length structured abstract
  (see full_abstracts.py), about 1,400 characters as a PubMed abstract on a clinical study
  is. This is the figure the speed target (>= 2,000 articles/s on one core) is judged on.
* ``gold``: the gold and held-out abstracts as written, about 300 characters each.
* ``dev``: the real abstracts of ../shared/eval/dev.jsonl (restated in new words) when that
  file is present: on-topic papers, near misses and off-topic ones as a search returns them.
  The issue's speed floor (>= 1,500 articles per CPU second) is judged on this one.
* ``real``: the real NCBI records in ../shared/fixtures/eutils when that folder is present
  (most are not about rituximab in SSc, so the classifier stops early on them).

Each corpus repeats its records under distinct PMIDs. The classifier keeps nothing from one
article to the next but the compiled knowledge base, so repeating records flatters nothing.
Rates are given per CPU second (``time.process_time``), which is what one core does whatever
else the machine runs, and per wall-clock second.
"""

from __future__ import annotations

import sys
import time
from dataclasses import replace
from pathlib import Path
from typing import Any

from bench.full_abstracts import full_abstracts
from litwatch.judging.gold import load_gold
from litwatch.judging.knowledge import KnowledgeBase
from litwatch.judging.knowledge_file import load_knowledge_base
from litwatch.judging.rules import classify_article
from litwatch.records import ArticleRecord

REPO = Path(__file__).resolve().parent.parent
DATA = REPO / "tests" / "data"
FIXTURES = REPO.parent / "shared" / "fixtures" / "eutils"
DEV_SET = REPO.parent / "shared" / "eval" / "dev.jsonl"
KNOWN_TRIALS = {"DESIRES": "1", "NCT01862926": "2"}
DEV_FLOOR = 1_500  # articles per CPU second on the dev set's abstracts (issue 9)


def gold_articles() -> list[ArticleRecord]:
    """The gold and held-out abstracts as articles."""
    records = []
    for name in ("gold.jsonl", "heldout.jsonl"):
        if (DATA / name).exists():
            records += load_gold(DATA / name)
    return [r.to_article() for r in records]


def dev_articles() -> list[ArticleRecord]:
    """The dev set's abstracts as articles, or none when the file is absent."""
    return [r.to_article() for r in load_gold(DEV_SET)] if DEV_SET.is_file() else []


def real_articles() -> list[ArticleRecord]:
    """The real NCBI records of the fixtures folder, or none when it is absent."""
    from litwatch.pubmed.parser import parse_pubmed_xml

    found: list[ArticleRecord] = []
    for path in sorted(FIXTURES.rglob("*.xml")) if FIXTURES.is_dir() else []:
        try:
            found += parse_pubmed_xml(path.read_bytes()).articles
        except Exception:  # noqa: BLE001 - not every XML file there is a PubMed answer
            continue
    return found


def repeat(base: list[ArticleRecord], n: int) -> list[ArticleRecord]:
    """``n`` articles drawn in turn from ``base``, each under its own PMID."""
    return [replace(base[i % len(base)], pmid=str(90_000_000 + i)) for i in range(n)]


def run(n: int = 5000) -> dict[str, Any]:
    """Time every corpus; print and return the figures (``full`` holds the headline)."""
    kb = load_knowledge_base()
    gold = gold_articles()
    bases = {"full": full_abstracts(gold), "gold": gold}
    dev = dev_articles()
    if dev:
        bases["dev"] = dev
    real = real_articles()
    if real:
        bases["real"] = real
    result: dict[str, Any] = {"articles": n, "kb_version": kb.version, "corpora": {}}
    for name, base in bases.items():
        figures = _time(repeat(base, n), kb)
        mean_chars = sum(len(a.abstract) for a in base) / len(base)
        figures["mean_abstract_chars"] = round(mean_chars)
        result["corpora"][name] = figures
        print(
            f"classify {name:4s} ({figures['mean_abstract_chars']:>4} characters an abstract): "
            f"{n} articles in {figures['seconds']:.2f} s = {figures['articles_per_s']:,.0f}/s, "
            f"{figures['articles_per_cpu_s']:,.0f} per CPU second"
        )
        if name == "dev":
            rate = figures["articles_per_cpu_s"] or 0.0
            figures["floor_per_cpu_s"] = DEV_FLOOR
            verdict = "above" if rate >= DEV_FLOOR else "BELOW"
            print(
                f"  dev set: {rate:,.0f} per CPU second against the floor of {DEV_FLOOR:,} "
                f"({verdict} it, by {rate / DEV_FLOOR - 1:+.0%})"
            )
    return result


def _time(articles: list[ArticleRecord], kb: KnowledgeBase) -> dict[str, Any]:
    classify_article(articles[0], kb)  # compile the knowledge base outside the timing
    started = time.perf_counter()
    cpu_started = time.process_time()
    for article in articles:
        classify_article(article, kb, known_trials=KNOWN_TRIALS)
    wall = time.perf_counter() - started
    cpu = time.process_time() - cpu_started
    return {
        "seconds": round(wall, 3),
        "cpu_seconds": round(cpu, 3),
        "articles_per_s": round(len(articles) / wall, 1),
        "articles_per_cpu_s": round(len(articles) / cpu, 1) if cpu else None,
    }


if __name__ == "__main__":
    run(int(sys.argv[1]) if len(sys.argv) > 1 else 5000)
