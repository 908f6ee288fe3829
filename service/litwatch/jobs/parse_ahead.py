"""Parse efetch batches on the second core: one worker process, one batch ahead of the store.

A poll's main process stores and classifies batch k while a worker process parses batch
k+1; what the worker hands back is the same ``ParsedBatch`` the poll would have made itself
(the parser is a pure function of the bytes), so the stored records and their judgements do
not depend on where the parsing ran. The worker is started with ``spawn`` (a fork of a process
with threads is unsafe) at the second batch of a poll, as a poll of one batch gains nothing
from it, and it is stopped when the poll ends.

If the worker dies (killed, out of memory) the batch is parsed in this process and the poll
goes on; a batch that cannot be parsed at all raises the parser's own ``ParseError``, as it
would here.
"""

from __future__ import annotations

import logging
import multiprocessing
from collections.abc import Iterable, Iterator
from concurrent.futures import Future, ProcessPoolExecutor
from concurrent.futures.process import BrokenProcessPool

from litwatch.pubmed.parser import parse_pubmed_xml
from litwatch.records import ParsedBatch

log = logging.getLogger(__name__)


class ParseAhead:
    """Turn efetch answers into parsed batches, in order; use as a context manager.

    With ``in_worker`` false everything is parsed in this process, one batch at a time.
    """

    def __init__(self, *, in_worker: bool) -> None:
        self.in_worker = in_worker
        self._pool: ProcessPoolExecutor | None = None

    def __enter__(self) -> ParseAhead:
        return self

    def __exit__(self, *exc_info: object) -> None:
        self.close()

    def close(self) -> None:
        if self._pool is not None:
            self._pool.shutdown(wait=True, cancel_futures=True)
            self._pool = None

    def parsed(self, answers: Iterable[bytes]) -> Iterator[ParsedBatch]:
        """Each answer parsed, in the order given; the next one is parsed meanwhile."""
        pending: tuple[bytes, Future[ParsedBatch] | None] | None = None
        for count, xml in enumerate(answers):
            if not self.in_worker or count == 0:
                if pending is not None:
                    yield self._result(pending)
                    pending = None
                yield parse_pubmed_xml(xml)
                continue
            submitted = (xml, self._submit(xml))
            if pending is not None:
                yield self._result(pending)
            pending = submitted
        if pending is not None:
            yield self._result(pending)

    def _submit(self, xml: bytes) -> Future[ParsedBatch] | None:
        try:
            if self._pool is None:
                self._pool = ProcessPoolExecutor(
                    max_workers=1, mp_context=multiprocessing.get_context("spawn")
                )
            return self._pool.submit(parse_pubmed_xml, xml)
        except (BrokenProcessPool, RuntimeError, OSError) as exc:
            self._give_up(exc)
            return None

    def _result(self, pending: tuple[bytes, Future[ParsedBatch] | None]) -> ParsedBatch:
        xml, future = pending
        if future is not None:
            try:
                return future.result()
            except BrokenProcessPool as exc:
                self._give_up(exc)
        return parse_pubmed_xml(xml)

    def _give_up(self, exc: BaseException) -> None:
        """The worker is gone: parse the rest of this poll here."""
        log.warning("the parsing worker process failed (%s); parsing in this process", exc)
        self.in_worker = False
        if self._pool is not None:
            self._pool.shutdown(wait=False, cancel_futures=True)
            self._pool = None
