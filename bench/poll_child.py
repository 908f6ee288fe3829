"""The polling child of the backfill benchmark: one first poll, its own figures as JSON.

Run by ``bench_poll`` as ``python -m bench.bench_poll --child BASE_URL DB_URL RATE QUERY
CLASSIFY_WORKER``. The peak RSS is VmHWM of this process (Linux keeps ``ru_maxrss`` across exec,
so a child forked from a large parent would report the parent's size); the worker's
memory and CPU are read from /proc while the poll runs, as the worker is gone when it ends.
"""

from __future__ import annotations

import multiprocessing
import os
import resource
import threading
import time
from collections.abc import Callable
from pathlib import Path
from typing import Any

MAIN_PARTS = ("parse", "store", "classify")
FETCH_PARTS = ("rate-limit wait", "HTTP")
SEARCH = "bench-backfill"
API_KEY = "bench-key"
CHECKPOINT = 10_000


class Timers:
    """Seconds per part; in each thread only the outermost timed call on its stack counts."""

    def __init__(self) -> None:
        self.seconds = dict.fromkeys(MAIN_PARTS + FETCH_PARTS, 0.0)
        self._lock = threading.Lock()
        self._local = threading.local()

    def wrap(self, part: str, fn: Callable[..., Any]) -> Callable[..., Any]:
        def timed(*args: Any, **kwargs: Any) -> Any:
            if getattr(self._local, "depth", 0):
                return fn(*args, **kwargs)
            self._local.depth = 1
            started = time.perf_counter()
            try:
                return fn(*args, **kwargs)
            finally:
                with self._lock:
                    self.seconds[part] += time.perf_counter() - started
                self._local.depth = 0

        return timed


def _instrument(ctx: Any, timers: Timers) -> None:
    from sqlmodel import Session

    from litwatch.jobs import batches, poll, second_core

    client = ctx.eutils
    client.limiter.acquire = timers.wrap("rate-limit wait", client.limiter.acquire)
    ctx.http.send = timers.wrap("HTTP", ctx.http.send)
    batches.parse_pubmed_xml = timers.wrap("parse", batches.parse_pubmed_xml)
    # With the worker, "classify" in the main thread is the wait for its first pass plus the
    # part that needs the store; without it, the whole classification.
    second_core.SecondCore.first_pass = timers.wrap("classify", second_core.SecondCore.first_pass)
    batches.finish_changed = timers.wrap("classify", batches.finish_changed)
    batches.begin_changed = timers.wrap("classify", batches.begin_changed)
    for name in ("upsert_articles", "record_hits", "mark_deleted"):
        setattr(batches, name, timers.wrap("store", getattr(batches, name)))
    poll.stored_pmids = timers.wrap("store", poll.stored_pmids)
    Session.commit = timers.wrap("store", Session.commit)


def child_main(base_url: str, db_url: str, rate: str, query: str, worker: str) -> dict[str, Any]:
    from sqlmodel import Session

    from litwatch.config import load_settings
    from litwatch.context import build_context
    from litwatch.jobs import poll
    from litwatch.store.engine import make_engine, migrate
    from litwatch.store.searches import add_search

    engine = make_engine(db_url)
    migrate(engine)
    engine.dispose()
    per_second = int(rate)
    classify_worker = worker == "1"
    settings = load_settings(
        database_url=db_url,
        eutils_url=base_url,
        ncbi_email="bench@example.org",
        ncbi_api_key=API_KEY if per_second >= 10 else None,
        poll_classify_worker=classify_worker,
    )
    ctx = build_context(settings)
    with Session(ctx.engine) as s:
        add_search(s, SEARCH, query, now=ctx.now())
        s.commit()
    ctx.knowledge_base  # noqa: B018 (loaded before the clock starts, as a running service has it)
    startup_rss = _hwm_mb("self")
    timers = Timers()
    _instrument(ctx, timers)
    seen: dict[str, float] = {}

    def progress(done: int, total: int) -> None:
        if done >= CHECKPOINT and "rss_at_10k_mb" not in seen:
            seen["rss_at_10k_mb"] = _hwm_mb("self")
        for worker_process in multiprocessing.active_children():
            pid = str(worker_process.pid)
            seen["worker_peak_rss_mb"] = max(seen.get("worker_peak_rss_mb", 0.0), _hwm_mb(pid))
            seen["worker_cpu_seconds"] = _cpu_seconds(pid) or seen.get("worker_cpu_seconds", 0)

    cpu0 = time.process_time()
    started = time.perf_counter()
    summary = poll.poll_search(ctx, SEARCH, progress=progress)
    wall = time.perf_counter() - started
    cpu = time.process_time() - cpu0
    ctx.close()
    stored = summary.new + summary.updated
    return {
        "status": summary.status,
        "error": summary.error,
        "found": summary.found,
        "stored": stored,
        "failed": summary.failed,
        "seconds": round(wall, 3),
        "cpu_seconds": round(cpu, 3),
        "records_per_s": round(stored / wall, 1),
        "records_per_cpu_s": round(stored / cpu, 1) if cpu else None,
        "requests": summary.requests,
        "retries": summary.retries,
        "peak_rss_mb": round(_hwm_mb("self"), 1),
        "startup_rss_mb": round(startup_rss, 1),
        **{k: round(v, 1) for k, v in seen.items()},
        "split_s": {k: round(v, 2) for k, v in timers.seconds.items()},
    }


def _hwm_mb(pid: str) -> float:
    """Peak resident set size of a process so far (VmHWM), in MB."""
    try:
        for line in Path(f"/proc/{pid}/status").read_text().splitlines():
            if line.startswith("VmHWM:"):
                return int(line.split()[1]) / 1024  # kB
    except OSError:
        pass
    if pid == "self":
        return resource.getrusage(resource.RUSAGE_SELF).ru_maxrss / 1024  # KB on Linux
    return 0.0


def _cpu_seconds(pid: str) -> float:
    """User + system CPU seconds of a running process, from /proc/PID/stat."""
    try:
        fields = Path(f"/proc/{pid}/stat").read_text().rsplit(")", 1)[1].split()
    except OSError:
        return 0.0
    return (int(fields[11]) + int(fields[12])) / os.sysconf("SC_CLK_TCK")
