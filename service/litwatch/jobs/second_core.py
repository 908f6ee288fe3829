"""The classifier's first pass on the second core: one worker process beside the poll.

Classifying on-topic records costs a poll more CPU than anything else it does. The pure part
of it (``judging.classify_stored.judge_first``: every rule, over records already read from the
store) runs in a worker process, while this process stores the next batch; what needs the
store (trials seen before, notices, saving) stays here (``finish_changed``). The worker is
given the knowledge base once, when it starts; each batch brings its records, the learned
model and the date, and gets back plain classifications, so the results are the ones this
process would have computed itself. The worker judges the first part of each batch and this
process the rest, meanwhile (the split follows which of the two waited for the other).

The worker is started with ``spawn`` (forking a process that runs threads is unsafe), at the
first batch, and stopped when the poll ends. If it dies (killed, out of memory), the batch it
held is judged here and the rest of the poll runs in one process. A spawned process outlives a
parent that is killed outright (SIGKILL gives the parent no chance to stop it), so the worker
watches for its parent's death and then ends itself (``_watch_parent``).
"""

from __future__ import annotations

import logging
import multiprocessing
import os
import pickle
import threading
import time
from concurrent.futures import Future, ProcessPoolExecutor
from concurrent.futures.process import BrokenProcessPool
from dataclasses import dataclass, replace

from litwatch.judging.classify_stored import (
    Batch,
    FirstPass,
    judge_first,
    judge_first_in_worker,
    set_worker_kb,
)
from litwatch.judging.knowledge import KnowledgeBase

log = logging.getLogger(__name__)

# This process stores each batch and finishes each judgement (what needs the store), which on
# on-topic records costs about a third of what the first pass costs: the worker takes the
# larger share, adjusted batch by batch by whether this process had to wait for it.
FIRST_SHARE = 0.7
SHARE_STEP = 0.05
MIN_SHARE, MAX_SHARE = 0.3, 0.95

# How often the worker looks whether its parent is still there.
PARENT_CHECK_SECONDS = 0.5


def _start_worker(kb: KnowledgeBase, parent: int) -> None:
    """The worker's initializer: its knowledge base, and a watch on the process that started it."""
    set_worker_kb(kb)
    threading.Thread(target=_watch_parent, args=(parent,), name="parent-watch", daemon=True).start()


def _watch_parent(parent: int) -> None:
    """End this process once ``parent`` is gone (the worker is then handed to another parent).

    Nothing is lost by ending at once: the worker holds no state but the batch in hand, and a
    parent that is gone cannot take its answer."""
    while os.getppid() == parent:
        time.sleep(PARENT_CHECK_SECONDS)
    os._exit(0)


@dataclass(slots=True)
class Handed:
    """A batch's first records, handed to the worker: its answer to come."""

    future: Future[FirstPass]
    cut: int  # the worker judges records[:cut], this process the rest


class SecondCore:
    """Runs ``judge_first`` in a worker process (``enabled``) or here; a context manager."""

    def __init__(self, kb: KnowledgeBase, *, enabled: bool) -> None:
        self.kb = kb
        self.enabled = enabled
        self.share = FIRST_SHARE  # of each batch's records, judged in the worker
        self._pool: ProcessPoolExecutor | None = None

    def __enter__(self) -> SecondCore:
        return self

    def __exit__(self, *exc_info: object) -> None:
        self.close()

    def close(self) -> None:
        if self._pool is not None:
            self._pool.shutdown(wait=True, cancel_futures=True)
            self._pool = None

    def submit(self, batch: Batch) -> Handed | None:
        """Start the first pass over the worker's share of ``batch``; None: all of it runs here.

        The share is the first ``share`` of the records: the rest are judged here while the
        worker runs (``first_pass``), so that neither process waits long for the other."""
        if not self.enabled or not batch.records:
            return None
        cut = round(len(batch.records) * self.share)
        try:
            if self._pool is None:
                self._pool = ProcessPoolExecutor(
                    max_workers=1,
                    mp_context=multiprocessing.get_context("spawn"),
                    initializer=_start_worker,
                    initargs=(self.kb, os.getpid()),
                )
            share = replace(batch, records=batch.records[:cut])
            future = self._pool.submit(judge_first_in_worker, share)
        except (BrokenProcessPool, RuntimeError, OSError) as exc:
            self._give_up(exc)
            return None
        return Handed(future, cut)

    def first_pass(self, batch: Batch, handed: Handed | None) -> FirstPass:
        """The first pass over all of ``batch``: this process's share, then the worker's."""
        if handed is None:
            return judge_first(batch, self.kb)
        cut = handed.cut
        here = judge_first(replace(batch, records=batch.records[cut:]), self.kb)
        # The worker's share should be done by the time this process has done its own.
        self.share += SHARE_STEP if handed.future.done() else -SHARE_STEP
        self.share = min(max(self.share, MIN_SHARE), MAX_SHARE)
        try:
            there = handed.future.result()
        except (BrokenProcessPool, pickle.PickleError) as exc:
            self._give_up(exc)
            there = judge_first(replace(batch, records=batch.records[:cut]), self.kb)
        return there + [(cut + i, c, keys, draft) for i, c, keys, draft in here]

    def _give_up(self, exc: BaseException) -> None:
        log.warning("the classifying worker process failed (%s); classifying in this one", exc)
        self.enabled = False
        if self._pool is not None:
            self._pool.shutdown(wait=False, cancel_futures=True)
            self._pool = None
