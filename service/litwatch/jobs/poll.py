"""One poll of one saved search: search -> fetch -> store -> classify, exactly once.

The window of create dates is [watermark - overlap, today] (a new search backfills from its
start date). Only PMIDs not yet stored are fetched. A second search by modification date over
[watermark, today] finds changed records (corrections, retractions) and re-fetches just those.
Each fetched batch is committed on its own; the watermark advances only after all of them, so a
poll killed midway and run again fetches what is missing and nothing twice.
"""

from __future__ import annotations

import logging
import time
from collections.abc import Callable, Iterable, Iterator
from datetime import date, timedelta

from sqlmodel import Session

from litwatch.context import Context
from litwatch.errors import LitwatchError, StoreError
from litwatch.eutils.client import SearchResult
from litwatch.eutils.date_slices import collect_ids
from litwatch.jobs.batches import store_batches
from litwatch.jobs.due import poll_due
from litwatch.jobs.kb_sync import sync_knowledge_base
from litwatch.jobs.locks import job_lock
from litwatch.jobs.poll_summary import PollSummary
from litwatch.judging.classify_stored import classify_pmids
from litwatch.store.articles import record_hits, stored_pmids, unclassified_pmids
from litwatch.store.quarantine import quarantined_pmids
from litwatch.store.runs import abandon_stale_runs, finish_poll_run, start_poll_run
from litwatch.store.searches import advance_watermark, get_search
from litwatch.store.tables import PollRun, SavedSearch

__all__ = ["PollSummary", "poll_search", "poll_window"]

log = logging.getLogger(__name__)

EARLIEST = date(1800, 1, 1)  # before any PubMed create date: "everything"

Progress = Callable[[int, int], None]  # (records done, records to fetch)


def poll_window(search: SavedSearch, today: date, overlap_days: int) -> tuple[date, date]:
    """The create-date window the next poll of ``search`` covers."""
    if search.watermark is None:
        return (search.backfill_start or EARLIEST, today)
    return (min(search.watermark - timedelta(days=overlap_days), today), today)


def poll_search(
    ctx: Context,
    name: str,
    *,
    since: date | None = None,
    until: date | None = None,
    progress: Progress | None = None,
    only_if_due: bool = False,
) -> PollSummary:
    """Poll one saved search; only one instance polls a given search at a time.

    With ``only_if_due`` (the scheduler's way) the poll runs only if the database says the
    search's schedule has come round since its last successful poll: checked under the lock,
    so instances that wake at the same moment poll it once.
    """
    today = ctx.now().date()
    with job_lock(ctx.engine, f"poll:{name}", clock=ctx.now) as lease:
        if not lease:
            who = lease.held_by()
            log.info("poll of %s skipped: another poll of it holds the lock (%s)", name, who)
            return PollSummary(
                name,
                (today, today),
                status="skipped",
                error=f"already running: the lock is held by {who}",
                held_by=who,
            )
        if only_if_due:
            with Session(ctx.engine) as session:
                search = get_search(session, name)
                schedule = search.schedule or ctx.settings.default_schedule
                if not poll_due(schedule, search.last_success_at, ctx.now()):
                    return PollSummary(name, (today, today), status="skipped", error="not due")
        return _poll_locked(
            ctx, name, since=since, until=until, progress=progress, took_over=lease.took_over
        )


def _poll_locked(
    ctx: Context,
    name: str,
    *,
    since: date | None,
    until: date | None,
    progress: Progress | None,
    took_over: str = "",
) -> PollSummary:
    started = time.monotonic()
    before = (ctx.eutils.requests_made, ctx.eutils.retries_made)
    sync_knowledge_base(ctx)  # a changed knowledge base re-judges stored articles first
    now = ctx.now()
    with Session(ctx.engine) as session:
        search = get_search(session, name)
        default_start, default_end = poll_window(search, now.date(), ctx.settings.poll_overlap_days)
        window = (since or default_start, until or default_end)
        if window[0] > window[1]:
            raise StoreError(f"poll window starts after it ends: {window[0]} > {window[1]}")
        abandon_stale_runs(session, search.id, now=now, why=took_over)
        run = start_poll_run(session, search, now=now, window=window)
        session.commit()
        summary = PollSummary(name, window)
        try:
            _classify_left_over(ctx, session)
            _poll(ctx, session, search, run, summary, progress)
        except LitwatchError as exc:
            session.rollback()
            summary.status, summary.error = "failed", str(exc)
        except Exception as exc:  # recorded in the run, then re-raised for the caller to see
            session.rollback()
            summary.status, summary.error = "failed", f"{type(exc).__name__}: {exc}"
            _finish(ctx, session, run, summary, started, before)
            raise
        if summary.status == "ok":  # in the run's own commit: both happen or neither
            advance_watermark(session, search, window, now=now)
        _finish(ctx, session, run, summary, started, before)
    log.info("poll %s", summary.line())
    return summary


def _classify_left_over(ctx: Context, session: Session) -> None:
    """Classify what a poll cut short stored but did not classify (a crash, the database gone)."""
    left = unclassified_pmids(session)
    if left:
        log.info("classifying %d stored article(s) left without a classification", len(left))
        classify_pmids(session, left, kb=ctx.knowledge_base, now=ctx.now())
        session.commit()


def _finish(
    ctx: Context,
    session: Session,
    run: PollRun,
    summary: PollSummary,
    started: float,
    before: tuple[int, int],
) -> None:
    summary.requests = ctx.eutils.requests_made - before[0]
    summary.retries = ctx.eutils.retries_made - before[1]
    summary.seconds = time.monotonic() - started
    finish_poll_run(
        session,
        run,
        finished_at=ctx.now(),
        status=summary.status,
        found=summary.found,
        new=summary.new,
        updated=summary.updated,
        failed=summary.failed,
        deleted=summary.deleted,
        requests=summary.requests,
        retries=summary.retries,
        quarantined=summary.quarantined,
        error=summary.error[:4000],
    )
    session.commit()


def _poll(
    ctx: Context,
    session: Session,
    search: SavedSearch,
    run: PollRun,
    summary: PollSummary,
    progress: Progress | None,
) -> None:
    client = ctx.eutils
    start, end = summary.window
    created = collect_ids(client, search.query, start, end, by="crdt")
    summary.found = len(created.ids)
    known = stored_pmids(session, created.ids)
    if known:
        record_hits(session, search.id, sorted(known), now=ctx.now())
        session.commit()
    missing = [p for p in created.ids if p not in known]

    # Records changed since the last poll: only when there was one, and not a backfill.
    changed: list[str] = []
    if search.watermark is not None:
        modified = collect_ids(client, search.query, search.watermark, end, by="mdat")
        fetched_now = set(missing)
        changed = [p for p in modified.ids if p not in fetched_now]

    # Records that would not parse last time are fetched again, whatever their dates.
    again = set(missing) | set(changed)
    retried = [p for p in quarantined_pmids(session, search.id) if p not in again]
    changed += retried
    if retried:
        log.info("poll %s: fetching %d quarantined record(s) again", search.name, len(retried))

    total = len(missing) + len(changed)
    done = 0
    if progress:
        progress(0, total)

    def advance(n: int) -> None:
        nonlocal done
        done += n
        if progress:
            progress(done, total)

    if missing:
        every_id_is_new = len(missing) == len(created.ids)
        batches = (
            _history_batches(ctx, created.slices)
            if every_id_is_new
            else client.iter_id_batches(missing)
        )
        store_batches(ctx, session, (search, run), batches, summary, advance)
    if changed:
        by_id = client.iter_id_batches(changed)
        store_batches(ctx, session, (search, run), by_id, summary, advance)


def _history_batches(ctx: Context, slices: Iterable[SearchResult]) -> Iterator[tuple[int, bytes]]:
    """Every record of every date slice, fetched from the history server."""
    for result in slices:
        if result.count:
            yield from ctx.eutils.iter_history_batches(result)
