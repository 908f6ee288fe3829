"""APScheduler wiring: it decides *when* to call the jobs; the database says what is due.

Jobs: one poll per saved search on its own schedule, the digest run at the configured time
(and a retry sweep for deliveries that failed for a while). A service that cannot poll (no
contact address for NCBI, see ``startup``) schedules no poll at all, rather than a poll that
fails every time it runs. Every job is max_instances=1 and
coalesced; at start, whatever the database shows as overdue runs at once. A thread of its own
(not a job: a job that touches the scheduler would deadlock its shutdown) picks up searches
added or removed while the service runs.
"""

from __future__ import annotations

import logging
import threading
from collections.abc import Iterator
from contextlib import contextmanager
from datetime import UTC, datetime, timedelta

from apscheduler.events import EVENT_JOB_ERROR, JobExecutionEvent
from apscheduler.schedulers.background import BackgroundScheduler
from apscheduler.triggers.combining import OrTrigger
from apscheduler.triggers.cron import CronTrigger
from apscheduler.triggers.interval import IntervalTrigger
from sqlmodel import Session

from litwatch.context import Context
from litwatch.errors import LitwatchError
from litwatch.jobs.due import poll_due
from litwatch.jobs.schedules import parse_schedule
from litwatch.jobs.startup import polling_problem
from litwatch.store.outage import DATABASE_ERRORS, describe_database_error
from litwatch.store.searches import list_searches

log = logging.getLogger(__name__)

JOB_DEFAULTS = {"coalesce": True, "max_instances": 1, "misfire_grace_time": 3600}
SYNC_EVERY = timedelta(minutes=1)
RETRY_EVERY = timedelta(minutes=5)


@contextmanager
def _one_line(job: str) -> Iterator[None]:
    """A setting, the store or a database gone for a while: say it in one line; the next
    run catches up."""
    try:
        yield
    except LitwatchError as exc:
        log.error("%s could not run: %s", job, exc)
    except DATABASE_ERRORS as exc:
        log.error("%s could not run: database unreachable (%s)", job, describe_database_error(exc))


def _run_poll(ctx: Context, name: str, schedule: str) -> None:
    # ``schedule`` rides along so a sync can tell when a search's schedule changed.
    from litwatch.jobs.poll import poll_search

    with _one_line(f"poll job {name}"):
        summary = poll_search(ctx, name, only_if_due=True)
        if summary.status != "skipped":
            log.info("poll job: %s", summary.line())
        if summary.new or summary.updated or summary.deleted:
            warm_evidence(ctx)


def warm_evidence(ctx: Context) -> None:
    """Read again the evidence tables a poll changed, so that the web app this process
    serves (``litwatch serve``) shows the next visitor of a finding's page a kept table
    rather than reading it then (a few hundred milliseconds at thousands of reports)."""
    from litwatch.judging.evidence_cache import warm

    with Session(ctx.engine) as session:
        warm(ctx.evidence_cache, session, [f.id for f in ctx.knowledge_base.findings])


def _digest_job(ctx: Context) -> None:
    from litwatch.jobs.digest_run import run_digests

    with _one_line("digest job"):
        log.info("digest job: %s", run_digests(ctx).line())


def _retry_job(ctx: Context) -> None:
    from litwatch.jobs.digest_run import deliver_pending

    with _one_line("delivery retry"):
        result = deliver_pending(ctx)
        if result.attempted:
            log.info("delivery retry: %s", result.line())


def sync_poll_jobs(sched: BackgroundScheduler, ctx: Context) -> None:
    """Make the scheduler's poll jobs match the saved searches in the database (none when
    the service cannot poll)."""
    tz = ctx.settings.timezone
    now = ctx.now()
    if polling_problem(ctx.settings) is not None:
        searches = []
    else:
        with Session(ctx.engine) as session:
            searches = [s for s in list_searches(session) if s.enabled]
    wanted = {f"poll:{s.name}": s for s in searches}
    for job in sched.get_jobs():
        if job.id.startswith("poll:") and job.id not in wanted:
            job.remove()
    for job_id, search in wanted.items():
        schedule = search.schedule or ctx.settings.default_schedule
        existing = sched.get_job(job_id)
        if existing is not None and getattr(existing, "kwargs", {}).get("schedule") == schedule:
            continue
        trigger = parse_schedule(schedule, f"schedule of {search.name}", tz)
        overdue = poll_due(schedule, search.last_success_at, now)
        # The scheduler runs on the wall clock, whatever clock the context decides "due" by.
        wall_now = datetime.now(UTC)
        sched.add_job(
            _run_poll,
            trigger,
            id=job_id,
            name=job_id,
            kwargs={"ctx": ctx, "name": search.name, "schedule": schedule},
            replace_existing=True,
            next_run_time=wall_now if overdue else None,
            **JOB_DEFAULTS,
        )
        if not overdue:
            sched.get_job(job_id).reschedule(trigger)  # type: ignore[union-attr]


def build_scheduler(ctx: Context, *, jobs: bool = True) -> BackgroundScheduler:
    """A scheduler with every litwatch job added (not started)."""
    sched = BackgroundScheduler(timezone=ctx.settings.timezone, job_defaults=JOB_DEFAULTS)
    sched.add_listener(_log_error, EVENT_JOB_ERROR)
    if not jobs:
        return sched
    s = ctx.settings
    hh, mm = s.digest_time.split(":")
    at_digest_time = CronTrigger(hour=int(hh), minute=int(mm), timezone=s.timezone)
    sched.add_job(
        _digest_job,
        OrTrigger([at_digest_time, IntervalTrigger(seconds=s.digest_check_seconds)])
        if s.digest_check_seconds
        else at_digest_time,
        id="digests",
        kwargs={"ctx": ctx},
        next_run_time=datetime.now(UTC),  # at start: whatever is overdue goes out
    )
    sched.add_job(
        _retry_job,
        IntervalTrigger(seconds=int(RETRY_EVERY.total_seconds()), timezone=s.timezone),
        id="delivery-retry",
        kwargs={"ctx": ctx},
    )
    sync_poll_jobs(sched, ctx)
    return sched


@contextmanager
def running_scheduler(ctx: Context) -> Iterator[BackgroundScheduler]:
    """Start the scheduler and its sync thread; on exit stop both, waiting for the job in
    flight to finish."""
    sched = build_scheduler(ctx)
    stop = threading.Event()

    def sync_loop() -> None:
        while not stop.wait(SYNC_EVERY.total_seconds()):
            try:
                sync_poll_jobs(sched, ctx)
            except DATABASE_ERRORS as exc:
                log.error("could not sync the saved searches: %s", describe_database_error(exc))
            except Exception:  # a bad schedule in the database must not stop the service
                log.exception("could not sync the saved searches")

    syncer = threading.Thread(target=sync_loop, name="litwatch-sync", daemon=True)
    sched.start()
    syncer.start()
    try:
        yield sched
    finally:
        stop.set()
        syncer.join()
        sched.shutdown(wait=True)


def _log_error(event: JobExecutionEvent) -> None:
    log.error("job %s failed: %r", event.job_id, event.exception)
