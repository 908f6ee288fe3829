"""Digest speed and memory: render 1,000 subscribers' digests and send them over SMTP.

``python -m bench.bench_digest`` builds ~15 classified articles per subscriber, renders each
digest (subject, text, HTML, signed links), wraps it as MIME and sends it to a local aiosmtpd
server on loopback over one SMTP connection (or several, one thread each). It prints the
time per phase and peak Python memory (tracemalloc, which also slows the run a little).
"""

from __future__ import annotations

import argparse
import resource
import socket
import threading
import time
import tracemalloc
from datetime import UTC, date, datetime, timedelta
from email.utils import make_msgid
from typing import Any

from aiosmtpd.controller import Controller

from litwatch.digests.mailer import SmtpMailer, SmtpSettings
from litwatch.digests.message import build_message
from litwatch.digests.rendering import DigestLinks, render_digest
from litwatch.digests.selection import Candidate, Recipient, build_digest
from litwatch.records import (
    ArticleRecord,
    Author,
    Classification,
    Evidence,
    FindingJudgement,
)
from litwatch.templating import make_environment

KB = {
    "mrss-improvement": "Rituximab improves skin fibrosis in SSc: the mRSS falls.",
    "fvc-improvement": "Rituximab improves lung function in SSc: FVC% rises.",
    "iga-mrss-correlation": "mRSS correlates with serum IgA level (P<0.01).",
    "low-ig-better-response": "Low serum immunoglobulins go with a greater clinical response.",
    "long-term-benefit": "The benefit persists over long-term follow-up and repeated courses.",
    "multicentre-rct-needed": "Randomized, double-blind, multicentre trials are still needed.",
}
STANCES = ("supports", "supports", "inconclusive", "contradicts", "addresses")
DESIGNS = ("rct", "cohort", "case-series", "meta-analysis", "review")
SENTENCE = "After two courses of rituximab the mRSS fell from 18 to 11 (P<0.01) in 29 patients."
NOW = datetime(2026, 11, 18, 6, 0, tzinfo=UTC)


class Counter:
    """An SMTP handler that counts what arrives and keeps nothing."""

    def __init__(self) -> None:
        self.messages = 0
        self.bytes = 0
        self._lock = threading.Lock()

    async def handle_DATA(self, server: Any, session: Any, envelope: Any) -> str:
        with self._lock:
            self.messages += 1
            self.bytes += len(envelope.original_content or b"")
        return "250 Message accepted"


def article_pool(size: int) -> list[Candidate]:
    """``size`` distinct, plausible classified articles."""
    pool = []
    findings = list(KB)
    for n in range(size):
        pmid = str(40_000_000 + n)
        fid = findings[n % len(findings)]
        start = SENTENCE.index("mRSS fell")
        judgement = FindingJudgement(
            fid,
            STANCES[n % len(STANCES)],
            0.5 + (n % 5) / 10,
            [Evidence(SENTENCE, [(start, start + 9)])],
            reason="skin score change reported",
        )
        relevance = "related" if n % 4 == 3 else "core"
        art = ArticleRecord(
            pmid=pmid,
            doi=f"10.1000/bench.{n}",
            title=f"Rituximab and the <i>CD20</i> pathway in systemic sclerosis: report {n}",
            journal_iso="Arthritis Rheumatol",
            pub_date_text="2026 Nov",
            pub_date=date(2026, 11, 1),
            authors=[Author(last_name=f"Author{k}", initials="A") for k in range(6)],
        )
        cls = Classification(
            pmid=pmid,
            relevance=relevance,
            relevance_score=0.9,
            design=DESIGNS[n % len(DESIGNS)],
            findings=[judgement] if relevance == "core" else [],
            numbers={"n": 20 + n % 80, "follow_up": f"{1 + n % 5} years"},
            flags=["multicentre-rct"] if n % 17 == 0 else [],
            priority=(n * 37 % 100) / 100,
        )
        pool.append(Candidate(art, cls, ["ssc-rituximab"]))
    return pool


def _free_port() -> int:
    with socket.socket() as s:
        s.bind(("127.0.0.1", 0))
        return int(s.getsockname()[1])


def _send_share(
    subscribers: list[Recipient], pool: list[Candidate], per_digest: int, port: int
) -> tuple[float, float, int]:
    """Render and send one share of the digests on one connection; (render s, send s, sent)."""
    env = make_environment()
    links = DigestLinks("http://localhost:8000", "bench-secret")
    render_s = send_s = 0.0
    sent = 0
    with SmtpMailer(SmtpSettings("smtp", "127.0.0.1", port, starttls="never")) as mailer:
        for sub in subscribers:
            t0 = time.perf_counter()
            offset = int(sub.email.split("@")[0].removeprefix("reader")) * 7 % len(pool)
            items = (pool + pool)[offset : offset + per_digest]
            digest = build_digest(
                sub,
                items,
                period_start=NOW - timedelta(days=1),
                period_end=NOW,
                kb_statements=KB,
            )
            if digest is None:
                continue
            rendered = render_digest(env, digest, links, timezone="Europe/Paris", now=NOW)
            msg = build_message(
                rendered,
                sender="litwatch <digest@litwatch.example>",
                to=sub.email,
                message_id=make_msgid(idstring="digest", domain="litwatch.example"),
                now=NOW,
            )
            t1 = time.perf_counter()
            mailer.send(msg)
            send_s += time.perf_counter() - t1
            render_s += t1 - t0
            sent += 1
    return render_s, send_s, sent


def run(
    n_subscribers: int = 1000,
    *,
    articles_per_digest: int = 15,
    connections: int = 1,
    trace_memory: bool = True,
) -> dict[str, Any]:
    """Render and send ``n_subscribers`` digests to a local SMTP server; the figures."""
    pool = article_pool(200)
    subscribers = [
        Recipient(
            f"reader{n}@example.org",
            name=f"Reader {n}",
            searches=["ssc-rituximab"],
            min_relevance="related",
        )
        for n in range(n_subscribers)
    ]
    handler = Counter()
    controller = Controller(handler, hostname="127.0.0.1", port=_free_port())
    controller.start()
    shares = [subscribers[k::connections] for k in range(connections)]
    results: list[tuple[float, float, int]] = []
    try:
        if trace_memory:
            tracemalloc.start()
        t0 = time.perf_counter()
        threads = [
            threading.Thread(
                target=lambda s=share: results.append(
                    _send_share(s, pool, articles_per_digest, controller.port)
                )
            )
            for share in shares
        ]
        for t in threads:
            t.start()
        for t in threads:
            t.join()
        total = time.perf_counter() - t0
        peak = tracemalloc.get_traced_memory()[1] if trace_memory else 0
    finally:
        if trace_memory:
            tracemalloc.stop()
        controller.stop()
    sent = sum(r[2] for r in results)
    return {
        "subscribers": n_subscribers,
        "articles_per_digest": articles_per_digest,
        "connections": connections,
        "messages_sent": sent,
        "messages_received": handler.messages,
        "seconds_total": round(total, 2),
        "seconds_render": round(sum(r[0] for r in results), 2),
        "seconds_send": round(sum(r[1] for r in results), 2),
        "messages_per_second": round(sent / total, 1) if total else 0.0,
        "mean_message_kb": round(handler.bytes / max(handler.messages, 1) / 1024, 1),
        "peak_traced_mb": round(peak / 2**20, 1),
        "max_rss_mb": round(resource.getrusage(resource.RUSAGE_SELF).ru_maxrss / 1024, 1),
    }


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.split("\n")[0])
    parser.add_argument("--subscribers", type=int, default=1000)
    parser.add_argument("--articles", type=int, default=15)
    parser.add_argument("--connections", type=int, default=1)
    args = parser.parse_args()
    figures = run(args.subscribers, articles_per_digest=args.articles, connections=args.connections)
    print(
        f"digests: {figures['messages_sent']} rendered and sent "
        f"({figures['articles_per_digest']} articles each, "
        f"{figures['connections']} SMTP connection(s)) in {figures['seconds_total']} s "
        f"= {figures['messages_per_second']} messages/s; "
        f"render {figures['seconds_render']} s, send {figures['seconds_send']} s; "
        f"mean message {figures['mean_message_kb']} KB; "
        f"peak Python memory {figures['peak_traced_mb']} MB (max RSS {figures['max_rss_mb']} MB)"
    )


if __name__ == "__main__":
    main()
