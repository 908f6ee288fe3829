"""A backfill end to end: ``python -m bench.bench_poll [N]`` (default 20,000 records).

This process builds ``N`` synthetic records (30 created a day, so the backfill window holds
more than esearch's 9,999-id cap and must be split by date) and serves them from the fake
E-utilities server on loopback, with NCBI's rate limit on at the with-key figure of 10
requests/s (its log gives the most requests that arrived in any one-second window). A child
process (``python -m bench.bench_poll --child BASE_URL DB_URL``) then runs the first poll of
a new saved search into a fresh, migrated SQLite file: esearch, efetch by history batches,
parse, store and classify, as the service does. The child reports its own
figures, so the peak RSS is the poller's alone, not the server's.

The time split comes from timers the child wraps around the poll's parts (the outermost one
counts, so nothing is counted twice): rate-limit waits, HTTP exchanges, parsing, storing
(upserts, hits and commits) and classifying; "other" is what falls between them.
"""

from __future__ import annotations

import json
import resource
import subprocess
import sys
import tempfile
import time
from collections import Counter
from collections.abc import Callable
from datetime import date
from pathlib import Path
from typing import Any

REPO = Path(__file__).resolve().parent.parent
FIRST_PMID = 60_000_001
CRDT_START = date(2024, 1, 1)
PER_DAY = 30
API_KEY = "bench-key"
SEARCH = "bench-backfill"
PARTS = ("rate-limit wait", "HTTP", "parse", "store", "classify")


def run(n: int = 20_000) -> dict[str, Any]:
    """Serve ``n`` records here, backfill them in a child process; print and return figures."""
    from tests.helpers.synthetic_records import make_records

    from litwatch.fake_eutils.arrivals import most_in_window
    from litwatch.fake_eutils.corpus import Corpus
    from litwatch.fake_eutils.eutils import FakeEutils
    from litwatch.fake_eutils.server import running_server

    t0 = time.perf_counter()
    corpus = Corpus()
    corpus.add_records(
        make_records(n, start_pmid=FIRST_PMID, crdt_start=CRDT_START, per_day=PER_DAY)
    )
    corpus_s = time.perf_counter() - t0
    fake = FakeEutils(corpus, rate_limit=True, limit_with_key=10)
    with tempfile.TemporaryDirectory() as tmp, running_server(fake) as base_url:
        db_url = f"sqlite:///{Path(tmp) / 'litwatch.db'}"
        done = subprocess.run(
            [sys.executable, "-m", "bench.bench_poll", "--child", base_url, db_url],
            cwd=REPO,  # `-m bench.bench_poll` finds the bench package from here
            capture_output=True,
            text=True,
            check=False,
        )
        served = fake.requests
    if done.returncode != 0:
        sys.stderr.write(done.stderr)
        raise RuntimeError(f"the polling child failed with exit status {done.returncode}")
    child = json.loads(done.stdout.strip().splitlines()[-1])
    by_path = Counter(r.path for r in served)
    statuses = Counter(r.status for r in served)
    result = {
        "n": n,
        "corpus_build_s": round(corpus_s, 2),
        **child,
        "server_requests": {k: by_path[k] for k in sorted(by_path)},
        "server_statuses": {str(k): statuses[k] for k in sorted(statuses)},
        "most_in_one_second": most_in_window(served),
    }
    _print(result)
    if child["status"] != "ok" or child["stored"] != n:
        raise RuntimeError(f"backfill stored {child['stored']} of {n}: {child['error']}")
    return result


def _print(r: dict[str, Any]) -> None:
    print(
        f"poll backfill: {r['n']} records ({PER_DAY} a day from {CRDT_START}), fake E-utilities "
        f"rate-limited at 10 req/s, poller in a child process, fresh SQLite file"
    )
    print(f"  {'records stored':<28}{r['stored']:>10}")
    print(f"  {'poll seconds (wall)':<28}{r['seconds']:>10.2f}")
    print(f"  {'records/s end to end':<28}{r['records_per_s']:>10.0f}")
    print(f"  {'CPU seconds (child)':<28}{r['cpu_seconds']:>10.2f}")
    print(f"  {'records/CPU-s (child)':<28}{r['records_per_cpu_s']:>10.0f}")
    print(f"  {'requests (client count)':<28}{r['requests']:>10}")
    served = ", ".join(f"{k.removesuffix('.fcgi')} {v}" for k, v in r["server_requests"].items())
    statuses = ", ".join(f"{k}: {v}" for k, v in r["server_statuses"].items())
    print(f"  {'requests (server log)':<28}{served} (HTTP {statuses})")
    print(
        f"  {'most requests in any 1 s':<28}{r['most_in_one_second']:>10} "
        "(arrivals at the server, sliding window; limit 10)"
    )
    print(f"  {'peak RSS of the poller MB':<28}{r['peak_rss_mb']:>10.1f}")
    print(f"  {'child start-up MB':<28}{r['startup_rss_mb']:>10.1f}")
    print(
        f"  time split (s): search phase {r['search_phase_s']:.2f}, "
        f"fetch-and-store phase {r['fetch_phase_s']:.2f}"
    )
    split = r["split_s"]
    total = r["seconds"] or 1.0
    for part in (*PARTS, "other"):
        print(f"    {part:<26}{split[part]:>10.2f}{100 * split[part] / total:>7.1f} %")


# --- the child: the poller ----------------------------------------------------------------------


class _Timers:
    """Accumulated seconds per part; only the outermost timed call on the stack counts."""

    def __init__(self) -> None:
        self.seconds = dict.fromkeys(PARTS, 0.0)
        self._depth = 0

    def wrap(self, part: str, fn: Callable[..., Any]) -> Callable[..., Any]:
        def timed(*args: Any, **kwargs: Any) -> Any:
            if self._depth:
                return fn(*args, **kwargs)
            self._depth += 1
            started = time.perf_counter()
            try:
                return fn(*args, **kwargs)
            finally:
                self.seconds[part] += time.perf_counter() - started
                self._depth -= 1

        return timed


def _child(base_url: str, db_url: str) -> dict[str, Any]:
    from sqlmodel import Session
    from tests.helpers.synthetic_records import TOPIC_QUERY

    from litwatch.config import load_settings
    from litwatch.context import build_context
    from litwatch.jobs import poll
    from litwatch.judging import classify_stored
    from litwatch.store.engine import make_engine, migrate
    from litwatch.store.searches import add_search

    engine = make_engine(db_url)
    migrate(engine)
    engine.dispose()
    settings = load_settings(
        database_url=db_url,
        eutils_url=base_url,
        ncbi_email="bench@example.org",
        ncbi_api_key=API_KEY,
    )
    ctx = build_context(settings)
    with Session(ctx.engine) as s:
        add_search(s, SEARCH, TOPIC_QUERY, now=ctx.now())
        s.commit()
    ctx.knowledge_base  # noqa: B018 (loaded before the clock starts, as a running service has it)
    startup_rss = _rss_mb()

    timers = _Timers()
    client = ctx.eutils
    client.limiter.acquire = timers.wrap("rate-limit wait", client.limiter.acquire)  # type: ignore[method-assign]
    ctx.http.send = timers.wrap("HTTP", ctx.http.send)  # type: ignore[method-assign]
    poll.parse_pubmed_xml = timers.wrap("parse", poll.parse_pubmed_xml)  # type: ignore[assignment]
    # The poll classifies through classify_changed, which looks classify_records up in its
    # own module: wrapped there, the commit after it counts as store time, not classify.
    classify_stored.classify_records = timers.wrap("classify", classify_stored.classify_records)  # type: ignore[assignment]
    # The poll imports these by name, so they are wrapped where it looks them up.
    for name in ("upsert_articles", "record_hits", "mark_deleted", "stored_pmids"):
        setattr(poll, name, timers.wrap("store", getattr(poll, name)))
    Session.commit = timers.wrap("store", Session.commit)  # type: ignore[method-assign]

    first_progress: list[float] = []

    def progress(done: int, total: int) -> None:
        if not first_progress:
            first_progress.append(time.perf_counter())

    cpu0 = time.process_time()
    started = time.perf_counter()
    summary = poll.poll_search(ctx, SEARCH, progress=progress)
    wall = time.perf_counter() - started
    cpu = time.process_time() - cpu0
    ctx.close()
    search_phase = (first_progress[0] - started) if first_progress else wall
    split = {k: round(v, 3) for k, v in timers.seconds.items()}
    split["other"] = round(wall - sum(timers.seconds.values()), 3)
    return {
        "status": summary.status,
        "error": summary.error,
        "found": summary.found,
        "stored": summary.new + summary.updated,
        "failed": summary.failed,
        "seconds": round(wall, 3),
        "cpu_seconds": round(cpu, 3),
        "records_per_s": round((summary.new + summary.updated) / wall, 1),
        "records_per_cpu_s": round((summary.new + summary.updated) / cpu, 1) if cpu else None,
        "requests": summary.requests,
        "peak_rss_mb": round(_rss_mb(), 1),
        "startup_rss_mb": round(startup_rss, 1),
        "search_phase_s": round(search_phase, 3),
        "fetch_phase_s": round(wall - search_phase, 3),
        "split_s": split,
    }


def _rss_mb() -> float:
    """Peak resident set size of this process so far, in MB.

    Linux keeps ``ru_maxrss`` across exec, so a child forked from a large parent would report
    the parent's size; VmHWM in /proc/self/status belongs to this program's memory alone.
    """
    try:
        for line in Path("/proc/self/status").read_text().splitlines():
            if line.startswith("VmHWM:"):
                return int(line.split()[1]) / 1024  # kB
    except OSError:
        pass
    return resource.getrusage(resource.RUSAGE_SELF).ru_maxrss / 1024  # KB on Linux


def main(argv: list[str]) -> None:
    if argv[:1] == ["--child"]:
        print(json.dumps(_child(argv[1], argv[2])))
    else:
        run(int(argv[0]) if argv else 20_000)


if __name__ == "__main__":
    main(sys.argv[1:])
