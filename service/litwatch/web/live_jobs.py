"""Live searches run in the background, so that the search page can show how far one has got.

A live search asks PubMed, then fetches, stores and judges each record it has not stored yet:
seconds at NCBI's rate. The page starts one (``POST /api/live-searches``), follows its
progress (``GET /api/live-searches/ID``) and, once it is done, shows its results from here
(``/?q=...&job=ID``) without asking PubMed again. Without scripts the search form runs the
same search in the request, as before.

Jobs live in this process's memory only: a few run at once (more are refused, so that a page
left reloading cannot queue up requests against the shared rate limit), and a finished one is
kept for a few minutes, long enough for its page to be shown.
"""

from __future__ import annotations

import logging
import secrets
import threading
import time
from collections.abc import Callable
from dataclasses import dataclass, field

from litwatch.context import Context
from litwatch.web.page_data import SearchOutcome, SearchParams
from litwatch.web.search_answer import SearchAnswer, answer_params

log = logging.getLogger(__name__)

MAX_RUNNING = 4
KEEP_SECONDS = 600.0
MAX_KEPT = 50


@dataclass
class LiveJob:
    """One live search: what it was asked, how far it has got, and its answer once done."""

    id: str
    params: SearchParams
    started: float
    stage: str = "queued"  # queued, searching, fetching, done, failed
    done: int = 0
    total: int = 0
    answer: SearchAnswer | None = None
    finished: float | None = None
    lock: threading.Lock = field(default_factory=threading.Lock, repr=False)

    def report(self, stage: str, done: int, total: int) -> None:
        with self.lock:
            self.stage, self.done, self.total = stage, done, total

    def state(self) -> dict[str, object]:
        """What a page needs to show its progress: plain data."""
        with self.lock:
            answer = self.answer
            state: dict[str, object] = {
                "id": self.id,
                "stage": self.stage,
                "fetched": self.done,
                "to_fetch": self.total,
                "finished": answer is not None,
            }
        if answer is not None:
            state["status"] = answer.status
            state["error"] = answer.error
            state["results"] = len(answer.outcome.results)
            state["total"] = answer.outcome.total
        return state


class LiveJobs:
    """The live searches of one app (kept on ``app.state``)."""

    def __init__(
        self, ctx: Context, *, clock: Callable[[], float] = time.monotonic, run_inline: bool = False
    ) -> None:
        self.ctx = ctx
        self.clock = clock
        self.run_inline = run_inline  # tests: run in the caller's thread
        self._jobs: dict[str, LiveJob] = {}
        self._lock = threading.Lock()

    def start(self, params: SearchParams) -> LiveJob | None:
        """Start a live search; None when too many are running already."""
        with self._lock:
            self._forget_old()
            running = sum(1 for j in self._jobs.values() if j.answer is None)
            if running >= MAX_RUNNING:
                return None
            job = LiveJob(secrets.token_urlsafe(12), params, self.clock())
            self._jobs[job.id] = job
        if self.run_inline:
            self._run(job)
        else:
            threading.Thread(target=self._run, args=(job,), name="live-search", daemon=True).start()
        return job

    def get(self, job_id: str) -> LiveJob | None:
        with self._lock:
            self._forget_old()
            return self._jobs.get(job_id)

    def _run(self, job: LiveJob) -> None:
        try:
            answer = answer_params(self.ctx, job.params, job.report)
        except Exception as exc:  # a job that dies unseen would look "running" for good
            log.exception("live search %s failed", job.id)
            answer = SearchAnswer(SearchOutcome(job.params), 500, f"The search failed: {exc}")
        with job.lock:
            job.answer = answer
            job.stage = "failed" if answer.error else "done"
            job.finished = self.clock()

    def _forget_old(self) -> None:
        now = self.clock()
        finished = sorted(
            (j for j in self._jobs.values() if j.finished is not None), key=lambda j: j.finished
        )
        for job in finished:
            assert job.finished is not None
            if now - job.finished > KEEP_SECONDS or len(self._jobs) > MAX_KEPT:
                del self._jobs[job.id]
