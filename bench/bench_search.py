"""Local full-text search and the web pages over a large store:
``python -m bench.bench_search [N]``.

Builds a fresh, migrated SQLite file holding ``N`` articles (default 100,000): four in five
synthetic (``tests/helpers/synthetic_records.py``: every one mentions glorbinase and
velmoric fibrosis, with varied designs, outcomes, journals and numbers), one in five on
rituximab in SSc (``bench/on_topic_records.py``: the dev set's core and related abstracts,
read in place, cycled under new PMIDs), shuffled together and stored the way a poll stores
them (parsed, then ``upsert_articles`` in batches, so the FTS5 triggers index every row),
then classified. It runs typical queries through ``search_articles`` (a page of 20 ranked,
highlighted hits, as the search page asks for) and prints p50/p95 per query and over all of
them, in wall-clock milliseconds and process CPU milliseconds; the goal: p95 under 50 ms.
Then it serves the store on loopback and times the pages (``bench/bench_pages.py``).

The queries range from one hit (a record's number) through a fifth of the store (a design)
to four in five rows (the synthetic topic's own word): the last is the worst case.
"""

from __future__ import annotations

import random
import statistics
import sys
import tempfile
import time
from datetime import UTC, date, datetime, timedelta
from pathlib import Path
from typing import Any

from sqlmodel import Session
from tests.helpers.synthetic_records import make_records

from bench.bench_pages import print_pages, time_pages
from bench.on_topic_records import on_topic_texts, render_records
from litwatch.fake_eutils.xmlbuild import render_set
from litwatch.judging.classify_stored import classify_pmids
from litwatch.judging.knowledge_file import load_knowledge_base
from litwatch.pubmed.parser import parse_pubmed_xml
from litwatch.store.articles import upsert_articles
from litwatch.store.engine import make_engine, migrate
from litwatch.store.fulltext import search_articles

FIRST_PMID = 80_000_001
ON_TOPIC_PMID = 70_000_001
ON_TOPIC_SHARE = 5  # one article in five is on rituximab in SSc
BATCH = 10_000
CRDT_START = date(2018, 1, 1)
PER_DAY = 30
REPEATS = 15
PAGE = 20
CLASSIFY_BATCH = 5_000


def queries(n: int) -> list[str]:
    """Typical queries, from the narrowest to the broadest."""
    return [
        f"record {FIRST_PMID + synthetic_count(n) // 2}",  # one article
        "case series tarnin",  # a design and an outcome: about 5%
        "systematic review walk distance",
        "randomized trial quality of life",
        "prospective cohort",  # about 20%
        "Imag Med",  # a journal: about a third
        "velmoric index",  # an outcome: about a quarter (and every abstract's topic words)
        "glorbinase",  # every synthetic article: four in five
        "rituximab skin",  # on topic: about one in ten
    ]


def synthetic_count(n: int) -> int:
    return n - n // ON_TOPIC_SHARE


def build_store(path: Path, n: int) -> dict[str, float]:
    """Fill a migrated SQLite file with ``n`` articles and classify them; wall and CPU seconds.

    Stored "now", so the dashboard's default window (the last 30 days) holds them all.
    """
    engine = make_engine(f"sqlite:///{path}")
    migrate(engine)
    texts, _ = on_topic_texts()
    synthetic = synthetic_count(n)
    on_topic = n - synthetic
    now = datetime.now(UTC)
    wall, cpu = time.perf_counter(), time.process_time()
    rng = random.Random(1)
    batches = (n + BATCH - 1) // BATCH
    for b in range(batches):
        s0, s1 = synthetic * b // batches, synthetic * (b + 1) // batches
        o0, o1 = on_topic * b // batches, on_topic * (b + 1) // batches
        first_day = CRDT_START + timedelta(days=s0 // PER_DAY)
        xml = make_records(
            s1 - s0, start_pmid=FIRST_PMID + s0, crdt_start=first_day, per_day=PER_DAY, seed=s0
        )
        records = parse_pubmed_xml(xml).articles
        on = render_records(
            texts, o1 - o0, start_pmid=ON_TOPIC_PMID + o0, crdt_start=first_day, per_day=6, seed=o0
        )
        records += parse_pubmed_xml(render_set(on)).articles
        rng.shuffle(records)  # on-topic and synthetic articles arrive mixed, as a poll's would
        with Session(engine) as session:
            upsert_articles(session, records, now=now)
            session.commit()
    built = time.perf_counter() - wall, time.process_time() - cpu
    kb = load_knowledge_base()
    pmids = [str(FIRST_PMID + i) for i in range(synthetic)]
    pmids += [str(ON_TOPIC_PMID + i) for i in range(on_topic)]
    for start in range(0, len(pmids), CLASSIFY_BATCH):
        with Session(engine) as session:
            classify_pmids(session, pmids[start : start + CLASSIFY_BATCH], kb=kb, now=now)
            session.commit()
    engine.dispose()
    return {
        "build_seconds": round(built[0], 1),
        "build_cpu_seconds": round(built[1], 1),
        "classify_seconds": round(time.perf_counter() - wall - built[0], 1),
        "on_topic": on_topic,
    }


def _percentile(values: list[float], q: float) -> float:
    ordered = sorted(values)
    return ordered[min(len(ordered) - 1, round(q * (len(ordered) - 1)))]


def time_queries(path: Path, n: int) -> dict[str, Any]:
    """Each query REPEATS times after one warm-up: per query and overall p50/p95 (ms)."""
    engine = make_engine(f"sqlite:///{path}")
    per_query: dict[str, dict[str, Any]] = {}
    walls: list[float] = []
    cpus: list[float] = []
    with Session(engine) as session:
        for query in queries(n):
            hits = search_articles(session, query, PAGE)  # warm the page cache
            w: list[float] = []
            c: list[float] = []
            for _ in range(REPEATS):
                t0, c0 = time.perf_counter(), time.process_time()
                search_articles(session, query, PAGE)
                w.append((time.perf_counter() - t0) * 1000)
                c.append((time.process_time() - c0) * 1000)
            per_query[query] = {
                "hits_on_page": len(hits),
                "p50_ms": round(statistics.median(w), 2),
                "p95_ms": round(_percentile(w, 0.95), 2),
                "cpu_p50_ms": round(statistics.median(c), 2),
            }
            walls += w
            cpus += c
    engine.dispose()
    return {
        "queries": per_query,
        "p50_ms": round(statistics.median(walls), 2),
        "p95_ms": round(_percentile(walls, 0.95), 2),
        "cpu_p50_ms": round(statistics.median(cpus), 2),
        "cpu_p95_ms": round(_percentile(cpus, 0.95), 2),
    }


def run(n: int = 100_000, db: Path | None = None) -> dict[str, Any]:
    """Build the store (or reuse ``db`` when it exists), time the queries and the pages,
    print the tables; the figures as a dict."""
    with tempfile.TemporaryDirectory(prefix="litwatch-bench-search-") as tmp:
        path = db or Path(tmp) / "search.db"
        if path.exists():
            result: dict[str, Any] = {"n": n, "on_topic": n // ON_TOPIC_SHARE, "reused": True}
            print(f"reusing {path}")
        else:
            result = {"n": n, **build_store(path, n)}
            print(
                f"stored {n:,} articles ({result['on_topic']:,} on topic) in "
                f"{result['build_seconds']} s ({result['build_cpu_seconds']} CPU s), "
                f"classified in {result['classify_seconds']} s"
            )
        result["db_mb"] = round(path.stat().st_size / 1e6, 1)
        print(f"file {result['db_mb']} MB")
        result.update(time_queries(path, n))
        on_topic = [str(ON_TOPIC_PMID + i) for i in range(0, result["on_topic"], 997)]
        result["web"] = time_pages(path, on_topic, queries(n))
    print(f"{'query':<36}{'on page':>8}{'p50 ms':>9}{'p95 ms':>9}{'CPU p50':>9}")
    for query, f in result["queries"].items():
        print(
            f"{query:<36}{f['hits_on_page']:>8}{f['p50_ms']:>9.1f}{f['p95_ms']:>9.1f}"
            f"{f['cpu_p50_ms']:>9.1f}"
        )
    print(
        f"all queries: p50 {result['p50_ms']} ms, p95 {result['p95_ms']} ms "
        f"(CPU p50 {result['cpu_p50_ms']} ms, p95 {result['cpu_p95_ms']} ms); goal p95 < 50 ms"
    )
    print_pages(result["web"])
    return result


if __name__ == "__main__":
    # python -m bench.bench_search [N] [DB]: DB kept (and reused when it exists) if given.
    run(
        int(sys.argv[1]) if len(sys.argv) > 1 else 100_000,
        Path(sys.argv[2]) if len(sys.argv) > 2 else None,
    )
