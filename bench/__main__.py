"""Every benchmark, then one summary table: ``python -m bench [parse] [poll] [classify] [digest]``.

With no names all four run, in that order. The machine's load averages are printed at the
start and the end: on a shared machine they say how far to trust the wall-clock figures.
"""

from __future__ import annotations

import argparse
import os
import platform
import sys
import time
from collections.abc import Callable
from typing import Any

PARSE_N = 5_000
POLL_N = 50_000  # on-topic records, backfilled at 10 and at 3 requests/s
CLASSIFY_N = 5_000
DIGEST_SUBSCRIBERS = 1_000
DIGEST_TRACED = 200  # subscribers in the separate run traced for peak memory


def _load() -> str:
    one, five, fifteen = os.getloadavg()
    return f"load average {one:.2f} {five:.2f} {fifteen:.2f} ({os.cpu_count()} CPUs)"


def bench_parse() -> dict[str, Any]:
    from bench import bench_parse as b

    return b.run(PARSE_N)


def bench_poll() -> dict[str, Any]:
    from bench import bench_poll as b

    return b.run(POLL_N)


def bench_classify() -> dict[str, Any]:
    from bench import bench_classify as b

    return b.run(CLASSIFY_N)


def bench_digest() -> dict[str, Any]:
    from bench import bench_digest as b

    timed = b.run(DIGEST_SUBSCRIBERS, trace_memory=False)
    print(
        f"digests: {timed['messages_sent']} of {DIGEST_SUBSCRIBERS} rendered and sent "
        f"({timed['articles_per_digest']} articles each, one SMTP connection) in "
        f"{timed['seconds_total']} s = {timed['messages_per_second']} messages/s "
        f"(render {timed['seconds_render']} s, send {timed['seconds_send']} s, "
        f"mean message {timed['mean_message_kb']} KB)"
    )
    traced = b.run(DIGEST_TRACED, trace_memory=True)
    print(
        f"digests, traced run of {DIGEST_TRACED}: peak Python memory "
        f"{traced['peak_traced_mb']} MB ({traced['seconds_total']} s with tracemalloc on)"
    )
    return {"timed": timed, "traced": traced}


BENCHES: dict[str, Callable[[], dict[str, Any]]] = {
    "parse": bench_parse,
    "poll": bench_poll,
    "classify": bench_classify,
    "digest": bench_digest,
    "search": lambda: __import__("bench.bench_search").bench_search.run(),  # prints its table
}


def summary_rows(results: dict[str, dict[str, Any]]) -> list[tuple[str, str, str]]:
    """(benchmark, figure, value) rows for whatever ran."""
    rows: list[tuple[str, str, str]] = []
    if "parse" in results:
        p = results["parse"]["parsers"]
        ours, ref = p["lxml (litwatch.pubmed.parser)"], p["Entrez.read (reference)"]
        n = results["parse"]["n"]
        rows += [
            (f"parse {n:,}", "records/s, ours (lxml)", f"{ours['records_per_s']:,.0f}"),
            ("", "records/s, Entrez.read", f"{ref['records_per_s']:,.0f}"),
            ("", "records/CPU-s, ours / Entrez.read", _pair(ours, ref, "records_per_cpu_s")),
            ("", "peak MB (tracemalloc), ours", f"{ours['peak_mb']:.1f}"),
            ("", "peak MB (tracemalloc), Entrez.read", f"{ref['peak_mb']:.1f}"),
        ]
    if "poll" in results:
        r = results["poll"]
        label = f"poll backfill {r['n']:,}"
        for rate, f in r["rates"].items():
            rows += [
                (label, f"at {rate}/s: ratio to the floor ({f['floor_s']:.0f} s)", f"{f['ratio']}"),
                ("", f"at {rate}/s: records/s end to end", f"{f['records_per_s']:,.0f}"),
                ("", f"at {rate}/s: poller CPU s (+ worker)", _cpu(f)),
                ("", f"at {rate}/s: peak RSS MB at 10k / at end", _rss(f)),
                ("", f"at {rate}/s: most requests in any 1 s", f"{f['most_in_one_second']}"),
            ]
            label = ""
    if "classify" in results:
        c = results["classify"]
        label = f"classify {c['articles']:,}"
        for name, figures in c["corpora"].items():
            rows.append(
                (
                    label,
                    f"{name} abstracts ({figures['mean_abstract_chars']:,} chars), articles/CPU-s",
                    f"{figures['articles_per_cpu_s']:,.0f}",
                )
            )
            label = ""
        rows.append(
            ("", "full abstracts, articles/s", f"{c['corpora']['full']['articles_per_s']:,.0f}")
        )
    if "digest" in results:
        t, m = results["digest"]["timed"], results["digest"]["traced"]
        rows += [
            (
                f"digests {t['subscribers']:,}",
                "rendered + sent, seconds",
                f"{t['seconds_total']:.1f}",
            ),
            ("", "messages/s", f"{t['messages_per_second']:,.0f}"),
            (
                "",
                f"peak MB (tracemalloc, {m['subscribers']} subscribers)",
                f"{m['peak_traced_mb']:.1f}",
            ),
        ]
    return rows


def _cpu(f: dict[str, Any]) -> str:
    worker = f.get("worker_cpu_seconds")
    return f"{f['cpu_seconds']:.1f}" + (f" + {worker:.1f}" if worker else "")


def _rss(f: dict[str, Any]) -> str:
    return f"{f.get('rss_at_10k_mb', 0):.0f} / {f['peak_rss_mb']:.0f}"


def _pair(a: dict[str, Any], b: dict[str, Any], key: str) -> str:
    return f"{a[key]:,.0f} / {b[key]:,.0f}"


def main(argv: list[str] | None = None) -> None:
    parser = argparse.ArgumentParser(
        prog="python -m bench", description="Run the benchmarks, then print one summary table."
    )
    parser.add_argument("names", nargs="*", metavar="NAME", help=f"any of: {' '.join(BENCHES)}")
    names = parser.parse_args(argv).names or list(BENCHES)
    unknown = [n for n in names if n not in BENCHES]
    if unknown:
        parser.error(f"unknown benchmark {', '.join(unknown)}; choose from {', '.join(BENCHES)}")
    sys.stdout.reconfigure(line_buffering=True)  # type: ignore[union-attr]  # progress when piped
    print(f"litwatch benchmarks: {', '.join(names)}; Python {platform.python_version()}")
    print(f"start: {_load()}")
    results: dict[str, dict[str, Any]] = {}
    started = time.perf_counter()
    for name in [n for n in BENCHES if n in names]:
        print(f"\n== {name} ==")
        t0 = time.perf_counter()
        results[name] = BENCHES[name]()
        print(f"({name}: {time.perf_counter() - t0:.0f} s)")
    print(f"\n== summary ({time.perf_counter() - started:.0f} s) ==")
    rows = summary_rows(results)
    width = max(len(r[1]) for r in rows) if rows else 0
    for bench, figure, value in rows:
        print(f"{bench:<22}{figure:<{width + 2}}{value:>10}")
    print(f"end: {_load()}")


if __name__ == "__main__":
    main()
