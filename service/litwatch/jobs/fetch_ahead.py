"""Fetch the next batch while this one is worked on: one batch ahead, in one thread.

A poll spends most of its time parsing, storing and classifying, and the network sits idle
meanwhile; with the fetch in a thread, the request for batch k+1 goes out while batch k is
handled. The thread only ever runs the batch iterator (HTTP, through the client's rate limit,
which is shared across threads); it never touches the store, whose session belongs to the
caller's thread.

Memory stays flat: the thread starts a fetch only after the caller has taken the previous
batch, so at most two batches are held at once (the one being handled and the one fetched).
Whatever the iterator raises (an E-utilities error after its retries, anything else) is
raised again in the caller's thread at the point where that batch would have been taken, so
a poll fails exactly as it would without the thread; batches before it have been handed over
in order and no batch is skipped or handed over twice.
"""

from __future__ import annotations

import logging
import queue
import threading
from collections.abc import Iterable, Iterator
from typing import Generic, TypeVar

log = logging.getLogger(__name__)

T = TypeVar("T")

JOIN_SECONDS = 300.0  # how long closing waits for a fetch in flight (its retries included)


class _End:
    """Put after the last batch."""


class _Failed:
    """The iterator raised: the exception, to be raised again in the caller's thread."""

    def __init__(self, exc: BaseException) -> None:
        self.exc = exc


class FetchAhead(Generic[T]):
    """Iterate ``source`` in a thread, one item ahead of the caller; use as a context manager.

    Leaving the ``with`` block (normally, or because the caller failed) stops the thread
    after the fetch in flight, if any, and waits for it, so nothing keeps using the HTTP
    client once the caller has moved on.
    """

    def __init__(self, source: Iterable[T], *, name: str = "fetch-ahead") -> None:
        self._source = source
        self._items: queue.Queue[T | _End | _Failed] = queue.Queue(maxsize=1)
        self._may_fetch = threading.Semaphore(1)  # one fetch ahead of what the caller took
        self._stop = threading.Event()
        self._thread = threading.Thread(target=self._run, name=name, daemon=True)
        self._started = False

    def __enter__(self) -> FetchAhead[T]:
        self._thread.start()
        self._started = True
        return self

    def __exit__(self, *exc_info: object) -> None:
        self.close()

    def __iter__(self) -> Iterator[T]:
        if not self._started:
            raise RuntimeError("FetchAhead is used inside a with block")
        while True:
            item = self._items.get()
            self._may_fetch.release()  # the caller has this one: the next fetch may start
            if isinstance(item, _End):
                return
            if isinstance(item, _Failed):
                raise item.exc
            yield item

    def close(self) -> None:
        """Stop fetching and wait for the thread (at most one fetch in flight)."""
        if not self._started:
            return
        self._stop.set()
        self._may_fetch.release()  # wake the thread if it waits for the caller
        self._drain()
        self._thread.join(JOIN_SECONDS)
        if self._thread.is_alive():
            log.warning("the fetch-ahead thread did not stop within %.0f s", JOIN_SECONDS)
        self._drain()

    def _drain(self) -> None:
        while True:
            try:
                self._items.get_nowait()
            except queue.Empty:
                return

    def _run(self) -> None:
        iterator = iter(self._source)
        try:
            while True:
                self._may_fetch.acquire()
                if self._stop.is_set():
                    return
                try:
                    item: T | _End | _Failed = next(iterator)
                except StopIteration:
                    item = _End()
                except BaseException as exc:  # handed to the caller, who raises it
                    item = _Failed(exc)
                self._put(item)
                if isinstance(item, _End | _Failed):
                    return
        finally:
            close = getattr(iterator, "close", None)
            if close is not None:
                close()  # a generator stopped early runs its cleanup in the thread it ran in

    def _put(self, item: T | _End | _Failed) -> None:
        # The queue holds at most one item and the semaphore admits one fetch at a time, so
        # this put finds room; the timeout loop only guards against a caller that has left.
        while not self._stop.is_set():
            try:
                self._items.put(item, timeout=0.5)
                return
            except queue.Full:
                continue
