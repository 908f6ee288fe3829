"""The classifier's first pass on the second core: one worker process beside the poll.

Classifying on-topic records costs a poll more CPU than anything else it does. The pure part
of it (``judging.classify_stored.judge_first``: every rule, over records already read from the
store) runs in a worker process, while this process stores the next batch; what needs the
store (trials seen before, notices, saving) stays here (``finish_changed``). The worker is
given the knowledge base once, when it starts; each batch brings its records, the learned
model and the date, and gets back plain classifications, so the results are the ones this
process would have computed itself.

The worker is started with ``spawn`` (forking a process that runs threads is unsafe), at the
first batch, and stopped when the poll ends. If it dies (killed, out of memory), the batch it
held is judged here and the rest of the poll runs in one process.
"""

from __future__ import annotations

import logging
import multiprocessing
import pickle
from concurrent.futures import Future, ProcessPoolExecutor
from concurrent.futures.process import BrokenProcessPool

from litwatch.judging.classify_stored import Batch, FirstPass, judge_first, set_worker_kb
from litwatch.judging.knowledge import KnowledgeBase

log = logging.getLogger(__name__)


class SecondCore:
    """Runs ``judge_first`` in a worker process (``enabled``) or here; a context manager."""

    def __init__(self, kb: KnowledgeBase, *, enabled: bool) -> None:
        self.kb = kb
        self.enabled = enabled
        self._pool: ProcessPoolExecutor | None = None

    def __enter__(self) -> SecondCore:
        return self

    def __exit__(self, *exc_info: object) -> None:
        self.close()

    def close(self) -> None:
        if self._pool is not None:
            self._pool.shutdown(wait=True, cancel_futures=True)
            self._pool = None

    def submit(self, batch: Batch) -> Future[FirstPass] | None:
        """Start the first pass over ``batch`` in the worker; None when it runs here."""
        if not self.enabled or not batch.records:
            return None
        try:
            if self._pool is None:
                self._pool = ProcessPoolExecutor(
                    max_workers=1,
                    mp_context=multiprocessing.get_context("spawn"),
                    initializer=set_worker_kb,
                    initargs=(self.kb,),
                )
            return self._pool.submit(judge_first, batch)
        except (BrokenProcessPool, RuntimeError, OSError) as exc:
            self._give_up(exc)
            return None

    def first_pass(self, batch: Batch, future: Future[FirstPass] | None) -> FirstPass:
        """The first pass's result: the worker's, or computed here."""
        if future is not None:
            try:
                return future.result()
            except (BrokenProcessPool, pickle.PickleError) as exc:
                self._give_up(exc)
        return judge_first(batch, self.kb)

    def _give_up(self, exc: BaseException) -> None:
        log.warning("the classifying worker process failed (%s); classifying in this one", exc)
        self.enabled = False
        if self._pool is not None:
            self._pool.shutdown(wait=False, cancel_futures=True)
            self._pool = None
