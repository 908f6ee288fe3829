"""A first-poll backfill of on-topic records: ``python -m bench.bench_poll [N] [--serial]``.

This process builds ``N`` records (default 50,000; 30 created a day, so the window holds more
than esearch's 9,999-id cap and must be split by date) whose text is on topic (see
``on_topic_records.py``) and serves them from the fake E-utilities server on loopback, with
NCBI's rate limit on. The backfill runs twice, at 10 requests/s (with an API key) and at 3
requests/s (without), each time in a child process (``python -m bench.bench_poll --child
...``) polling the default saved search into a fresh, migrated SQLite file: esearch, efetch by
history batches, parse, store and classify, as the service does. The child reports its own
figures, so the peak RSS is the poller's, not the server's.

The floor is what the rate alone allows: requests / rate. The ratio of the poll's wall time
to it says how far the poller is from keeping up with the network (1.0 is the network's pace).
``--serial`` classifies in the poller's own process (LITWATCH_POLL_CLASSIFY_WORKER off), to
compare.

The time split comes from timers the child wraps around the poll's parts; the fetch runs in
its own thread, so its parts (rate-limit waits, HTTP) overlap the main thread's (parse, store,
classify) and the two are given apart.
"""

from __future__ import annotations

import json
import os
import subprocess
import sys
import tempfile
import time
from collections import Counter
from datetime import date
from pathlib import Path
from typing import Any

from bench.poll_child import child_main

REPO = Path(__file__).resolve().parent.parent
FIRST_PMID = 60_000_001
CRDT_START = date(2019, 1, 1)
PER_DAY = 30
RATES = tuple(int(r) for r in os.environ.get("LITWATCH_BENCH_RATES", "10,3").split(","))
ROWS = (  # (label, key, format)
    ("records stored", "stored", "{:,}"),
    ("requests (client count)", "requests", "{:,}"),
    ("floor: requests / rate, s", "floor_s", "{:.1f}"),
    ("poll wall time, s", "seconds", "{:.1f}"),
    ("ratio to the floor", "ratio", "{:.2f}"),
    ("records/s end to end", "records_per_s", "{:,.0f}"),
    ("poller CPU s (main process)", "cpu_seconds", "{:.1f}"),
    ("classify worker CPU s", "worker_cpu_seconds", "{:.1f}"),
    ("peak RSS at 10k records, MB", "rss_at_10k_mb", "{:.0f}"),
    ("peak RSS at the end, MB", "peak_rss_mb", "{:.0f}"),
    ("classify worker peak RSS, MB", "worker_peak_rss_mb", "{:.0f}"),
    ("most requests in any 1 s", "most_in_one_second", "{}"),
    ("HTTP statuses at the server", "statuses", "{}"),
)
GOALS = {10: 3.0, 3: 1.25}


def build_corpus(n: int) -> tuple[Any, str, str]:
    """The fake server's corpus of ``n`` on-topic records, the query, and the text's source."""
    from bench.on_topic_records import matching, on_topic_texts, render_records
    from litwatch.default_search import DEFAULT_QUERY
    from litwatch.fake_eutils.corpus import Corpus
    from litwatch.fake_eutils.xmlbuild import render_set

    texts, source = on_topic_texts()
    found = matching(texts, DEFAULT_QUERY)
    source += f" ({len(found)} of them found by the default search)"
    corpus = Corpus()
    step = 6_000  # a multiple of PER_DAY: each chunk starts on a new day
    for first in range(0, n, step):
        records = render_records(
            found,
            min(step, n - first),
            start_pmid=FIRST_PMID + first,
            crdt_start=CRDT_START.fromordinal(CRDT_START.toordinal() + first // PER_DAY),
            per_day=PER_DAY,
            seed=first,
        )
        corpus.add_records(render_set(records))
    return corpus, DEFAULT_QUERY, source


def run(n: int = 50_000, *, classify_worker: bool = True) -> dict[str, Any]:
    """Serve ``n`` records here, backfill them at each rate in a child; print, return figures."""
    t0 = time.perf_counter()
    corpus, query, source = build_corpus(n)
    result: dict[str, Any] = {
        "n": n,
        "source": source,
        "classify_worker": classify_worker,
        "corpus_build_s": round(time.perf_counter() - t0, 1),
        "rates": {},
    }
    print(f"poll backfill: {n:,} on-topic records, text from {source}")
    for rate in RATES:
        result["rates"][rate] = _one_rate(corpus, query, rate, n, classify_worker)
    _print(result)
    for rate, r in result["rates"].items():
        if r["status"] != "ok" or r["stored"] != n:
            raise RuntimeError(f"backfill at {rate}/s stored {r['stored']} of {n}: {r['error']}")
    return result


def _one_rate(corpus: Any, query: str, rate: int, n: int, classify_worker: bool) -> dict[str, Any]:
    from litwatch.fake_eutils.arrivals import most_in_window
    from litwatch.fake_eutils.eutils import FakeEutils
    from litwatch.fake_eutils.server import running_server

    fake = FakeEutils(corpus, rate_limit=True, limit_with_key=10, limit_without_key=3)
    with tempfile.TemporaryDirectory() as tmp, running_server(fake) as base_url:
        db_url = f"sqlite:///{Path(tmp) / 'litwatch.db'}"
        args = [base_url, db_url, str(rate), query, "1" if classify_worker else "0"]
        done = subprocess.run(
            [sys.executable, "-m", "bench.bench_poll", "--child", *args],
            cwd=REPO,  # `-m bench.bench_poll` finds the bench package from here
            capture_output=True,
            text=True,
            check=False,
        )
        served = list(fake.requests)
    if done.returncode != 0:
        sys.stderr.write(done.stderr)
        raise RuntimeError(f"the polling child failed with exit status {done.returncode}")
    child = json.loads(done.stdout.strip().splitlines()[-1])
    statuses = Counter(r.status for r in served)
    by_path = Counter(r.path.removesuffix(".fcgi") for r in served)
    floor = child["requests"] / rate
    figures = {
        **child,
        "rate": rate,
        "floor_s": round(floor, 2),
        "ratio": round(child["seconds"] / floor, 2) if floor else None,
        "most_in_one_second": most_in_window(served),
        "statuses": " ".join(f"{k}:{v}" for k, v in sorted(statuses.items())),
        "server_requests": dict(sorted(by_path.items())),
    }
    print(
        f"  at {rate}/s: {figures['seconds']:.1f} s, ratio {figures['ratio']}, "
        f"served {figures['server_requests']}"
    )
    return figures


def _print(r: dict[str, Any]) -> None:
    where = "a worker process" if r["classify_worker"] else "the poller's own process"
    print(
        f"backfill of {r['n']:,} on-topic records (first poll, fresh SQLite file; classifying in "
        f"{where}; corpus built in {r['corpus_build_s']} s)"
    )
    rates = r["rates"]
    print(f"  {'':<32}" + "".join(f"{f'{rate} req/s':>14}" for rate in rates))
    for label, key, fmt in ROWS:
        cells = "".join(
            f"{fmt.format(rates[rate][key]) if rates[rate].get(key) is not None else '-':>14}"
            for rate in rates
        )
        print(f"  {label:<32}{cells}")
    print(f"  {'goal for the ratio':<32}" + "".join(f"{GOALS[rate]:>14}" for rate in rates))
    for rate, f in rates.items():
        split = ", ".join(f"{k} {v:.1f}" for k, v in f["split_s"].items())
        print(f"  time split at {rate}/s (s): {split}")


def main(argv: list[str]) -> None:
    if argv[:1] == ["--child"]:
        print(json.dumps(child_main(*argv[1:])))
        return
    serial = "--serial" in argv
    numbers = [a for a in argv if not a.startswith("--")]
    run(int(numbers[0]) if numbers else 50_000, classify_worker=not serial)


if __name__ == "__main__":
    main(sys.argv[1:])
