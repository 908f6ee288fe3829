"""Evidence tables kept between requests while the store says nothing they read changed.

A finding with thousands of reports takes a few hundred milliseconds to read and count;
its page is asked for far more often than the store changes. Before each use the cache
reads the table's marks (``evidence_marks``: three steps down indexes) and reads the table
again when they differ, or when the table is ``MAX_AGE`` seconds old: the marks are moments
on the writers' clocks, and the age bounds how stale a table can be when instances sharing
a store disagree on the time. The tables kept are shared: whoever fills in a row's details
does so on a copy (``detailed_rows``).
"""

from __future__ import annotations

import threading
import time
from collections import OrderedDict
from collections.abc import Callable
from dataclasses import replace
from typing import Any

from sqlmodel import Session

from litwatch.judging.evidence import EvidenceRow, EvidenceTable, evidence_table, fill_details
from litwatch.store.classifications import evidence_marks

KEPT = 16  # tables: the knowledge base holds a handful of findings
MAX_AGE = 300.0  # seconds


class EvidenceCache:
    """Finding id -> (marks, when read, table without details), the least recently used
    dropped first."""

    def __init__(
        self,
        kept: int = KEPT,
        max_age: float = MAX_AGE,
        clock: Callable[[], float] = time.monotonic,
    ) -> None:
        self._kept, self._max_age, self._clock = kept, max_age, clock
        self._tables: OrderedDict[str, tuple[tuple[Any, ...], float, EvidenceTable]] = OrderedDict()
        self._lock = threading.Lock()
        self.reads = 0  # tables read from the store, for tests and the benchmark

    def table(self, session: Session, finding_id: str) -> EvidenceTable:
        """The evidence table of ``finding_id`` as the store holds it now (rows without
        their sentences and numbers but n: see ``detailed_rows``). Do not change its rows."""
        marks = evidence_marks(session, finding_id)  # read first: a later change reads again
        now = self._clock()
        with self._lock:
            kept = self._tables.get(finding_id)
            if kept is not None and kept[0] == marks and now - kept[1] < self._max_age:
                self._tables.move_to_end(finding_id)
                return kept[2]
        table = evidence_table(session, finding_id, details=False)
        with self._lock:
            self.reads += 1
            self._tables[finding_id] = (marks, now, table)
            self._tables.move_to_end(finding_id)
            while len(self._tables) > self._kept:
                self._tables.popitem(last=False)
        return table


def detailed_rows(session: Session, finding_id: str, rows: list[EvidenceRow]) -> list[EvidenceRow]:
    """Copies of ``rows`` with their numbers and sentences filled in (the rows themselves,
    perhaps kept by the cache, stay as they are)."""
    copies = [replace(r) for r in rows]
    fill_details(session, finding_id, copies)
    return copies


def warm(cache: EvidenceCache, session: Session, finding_ids: list[str]) -> None:
    """Have ``cache`` hold the current table of each finding (read only where it changed)."""
    for finding_id in finding_ids:
        cache.table(session, finding_id)
