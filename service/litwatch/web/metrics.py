"""``/metrics`` in Prometheus' text format, read from the database at scrape time.

Polls, records, deliveries, the queue and each search's last success come from the tables,
so every instance sharing a database reports the same numbers and they survive a restart.
Only the E-utilities requests, 429s and retries are this process's own counters (their help
text says so); the per-search request totals kept in the poll runs are the shared figure.
"""

from __future__ import annotations

import logging
from collections.abc import Iterator

from fastapi import APIRouter, Request
from fastapi.responses import Response
from prometheus_client import CONTENT_TYPE_LATEST, CollectorRegistry, generate_latest
from prometheus_client.core import CounterMetricFamily, GaugeMetricFamily, Metric
from prometheus_client.registry import Collector

from litwatch.context import Context
from litwatch.errors import StoreError
from litwatch.store.metrics import POLL_COUNTS, StoreFigures, collect_figures
from litwatch.web.health import searches_health
from litwatch.web.responses import context_of

log = logging.getLogger(__name__)
router = APIRouter()

FINISHED = ("ok", "failed", "abandoned")  # poll-run statuses that never change again
DELIVERED = ("sent", "failed")  # digest statuses that are an outcome


class StoreCollector(Collector):
    """The figures the database holds, gathered when Prometheus scrapes."""

    def __init__(self, ctx: Context) -> None:
        self.ctx = ctx

    def collect(self) -> Iterator[Metric]:
        up = GaugeMetricFamily("litwatch_store_up", "1 if the database answered this scrape")
        try:
            figures = collect_figures(self.ctx.engine, now=self.ctx.now())
        except StoreError as exc:
            log.error("metrics: %s", exc)
            up.add_metric([], 0)
            yield up
            return
        up.add_metric([], 1)
        yield up
        yield from _poll_metrics(figures)
        yield from _search_metrics(self.ctx, figures)
        yield from _delivery_metrics(figures)
        yield from _job_metrics(figures)


class EutilsCollector(Collector):
    """This process's E-utilities counters (the live searches and polls it ran)."""

    def __init__(self, ctx: Context) -> None:
        self.ctx = ctx

    def collect(self) -> Iterator[Metric]:
        # Building the client would demand the NCBI settings; a process that has not built
        # it has sent nothing.
        client = vars(self.ctx).get("eutils")
        figures = {
            "requests": ("Requests sent to E-utilities", "requests_made"),
            "throttled": ("Requests E-utilities answered with HTTP 429", "throttled"),
            "retries": ("Requests tried again (timeout, 429, 5xx, broken answer)", "retries_made"),
        }
        for name, (what, attribute) in figures.items():
            metric = CounterMetricFamily(f"litwatch_eutils_{name}", f"{what}, by this process")
            metric.add_metric([], getattr(client, attribute, 0) if client is not None else 0)
            yield metric


def _poll_metrics(figures: StoreFigures) -> Iterator[Metric]:
    polls = CounterMetricFamily(
        "litwatch_polls", "Finished poll runs, by search and status", labels=["search", "status"]
    )
    running = GaugeMetricFamily(
        "litwatch_polls_running", "Poll runs in progress, by search", labels=["search"]
    )
    for (search, status), n in sorted(figures.polls.items()):
        if status in FINISHED:
            polls.add_metric([search, status], n)
        elif status == "running":
            running.add_metric([search], n)
    records = CounterMetricFamily(
        "litwatch_poll_records",
        "Records handled by poll runs, by search and kind (found, new, updated, failed, deleted)",
        labels=["search", "kind"],
    )
    requests = CounterMetricFamily(
        "litwatch_poll_eutils_requests",
        "E-utilities requests made by poll runs of every instance, by search",
        labels=["search"],
    )
    for search, sums in sorted(figures.poll_counts.items()):
        for kind in POLL_COUNTS:
            if kind != "requests":
                records.add_metric([search, kind], sums[kind])
        requests.add_metric([search], sums["requests"])
    articles = GaugeMetricFamily(
        "litwatch_articles",
        "Articles in the store: stored (not deleted), deleted, retracted",
        labels=["state"],
    )
    for state, n in figures.articles.items():
        articles.add_metric([state], n)
    yield from (polls, running, records, requests, articles)


def _search_metrics(ctx: Context, figures: StoreFigures) -> Iterator[Metric]:
    last = GaugeMetricFamily(
        "litwatch_search_last_success_timestamp_seconds",
        "When each saved search was last polled successfully (Unix time)",
        labels=["search"],
    )
    for search in figures.searches:
        if search.last_success_at is not None:
            last.add_metric([search.name], search.last_success_at.timestamp())
    late = GaugeMetricFamily(
        "litwatch_search_late",
        "1 if an enabled search has missed three of its scheduled polls (what /healthz checks)",
        labels=["search"],
    )
    s = ctx.settings
    for health in searches_health(
        figures.searches, ctx.now(), default_schedule=s.default_schedule, timezone=s.timezone
    ):
        late.add_metric([health.name], 1 if health.late else 0)
    yield from (last, late)


def _delivery_metrics(figures: StoreFigures) -> Iterator[Metric]:
    outcomes = CounterMetricFamily(
        "litwatch_deliveries",
        "Digests delivered (sent) or given up on (failed, a permanent error)",
        labels=["outcome"],
    )
    for outcome in DELIVERED:
        outcomes.add_metric([outcome], figures.digests.get(outcome, 0))
    attempts = CounterMetricFamily(
        "litwatch_delivery_attempts", "Tries to send a digest, successful or not"
    )
    attempts.add_metric([], figures.delivery_attempts)
    depth = GaugeMetricFamily(
        "litwatch_delivery_queue_depth",
        "Digests recorded but not yet delivered, by state (pending, sending)",
        labels=["state"],
    )
    for state in ("pending", "sending"):
        depth.add_metric([state], figures.digests.get(state, 0))
    due = GaugeMetricFamily("litwatch_delivery_queue_due", "Pending digests due to be tried now")
    due.add_metric([], figures.digests_due)
    retrying = GaugeMetricFamily(
        "litwatch_delivery_queue_retrying", "Pending digests that failed at least one try"
    )
    retrying.add_metric([], figures.digests_retrying)
    yield from (outcomes, attempts, depth, due, retrying)


def _job_metrics(figures: StoreFigures) -> Iterator[Metric]:
    runs = CounterMetricFamily(
        "litwatch_job_runs",
        "Runs of scheduled jobs other than polls (digest runs), by job and status",
        labels=["job", "status"],
    )
    for (job, status), n in sorted(figures.job_runs.items()):
        runs.add_metric([job, status], n)
    yield runs


def render_metrics(ctx: Context) -> bytes:
    """The exposition for ``ctx``: a fresh registry each scrape, so nothing lives at import."""
    registry = CollectorRegistry(auto_describe=False)
    registry.register(StoreCollector(ctx))
    registry.register(EutilsCollector(ctx))
    return generate_latest(registry)


@router.get("/metrics", include_in_schema=False)
def metrics(request: Request) -> Response:
    """Prometheus metrics, read from the database at scrape time."""
    return Response(render_metrics(context_of(request)), media_type=CONTENT_TYPE_LATEST)
