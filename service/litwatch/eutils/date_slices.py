"""Collecting every PMID in a date window despite esearch's 9,999-id ceiling.

PubMed's esearch lists at most the first 9,999 ids of a query. A window that matches more
is halved by days, again and again, until every slice fits; a window that fits costs one
request, which keeps a poll with nothing new down to one search per date kind.
"""

from __future__ import annotations

import logging
from collections.abc import Callable
from dataclasses import dataclass, field
from datetime import date, timedelta
from typing import Literal, Protocol

from litwatch.errors import EutilsError
from litwatch.eutils.answers import SearchResult

log = logging.getLogger(__name__)

ESEARCH_MAX_IDS = 9999


class Searcher(Protocol):
    """What collect_ids needs from the client (EutilsClient fits)."""

    def esearch(
        self,
        term: str,
        *,
        datetype: str | None = None,
        mindate: date | None = None,
        maxdate: date | None = None,
        retstart: int = 0,
        retmax: int = 0,
        usehistory: bool = True,
        sort: str | None = None,
    ) -> SearchResult: ...


@dataclass
class WindowResult:
    """Every id of a window, and the searches (slices) that listed them."""

    ids: list[str] = field(default_factory=list)
    slices: list[SearchResult] = field(default_factory=list)
    count: int = 0
    requests: int = 0


def crdt_term(query: str, start: date, end: date) -> str:
    """The query limited to records created in PubMed from ``start`` to ``end`` inclusive."""
    return f"({query}) AND {start:%Y/%m/%d}:{end:%Y/%m/%d}[crdt]"


def collect_ids(
    client: Searcher,
    query: str,
    start: date,
    end: date,
    *,
    by: Literal["crdt", "mdat"] = "crdt",
    on_slice: Callable[[SearchResult], None] | None = None,
) -> WindowResult:
    """All PMIDs matching ``query`` with a create (or modification) date in the window.

    ``requests`` counts the searches made (retries inside the client are not counted here).
    Raises EutilsError when one day alone holds more than ESEARCH_MAX_IDS records.
    """
    if end < start:
        raise ValueError(f"window ends ({end}) before it starts ({start})")
    if by not in ("crdt", "mdat"):
        raise ValueError(f"by must be 'crdt' or 'mdat', not {by!r}")
    out = WindowResult()
    seen: set[str] = set()

    def search(lo: date, hi: date) -> SearchResult:
        out.requests += 1
        if by == "crdt":
            return client.esearch(crdt_term(query, lo, hi), retmax=ESEARCH_MAX_IDS)
        return client.esearch(
            query, datetype="mdat", mindate=lo, maxdate=hi, retmax=ESEARCH_MAX_IDS
        )

    # An explicit stack rather than recursion; slices are taken oldest first.
    pending = [(start, end)]
    while pending:
        lo, hi = pending.pop()
        result = search(lo, hi)
        if result.count > ESEARCH_MAX_IDS:
            if lo == hi:
                raise EutilsError(
                    f"{result.count} records match {query!r} with {by} {lo:%Y/%m/%d} alone, "
                    f"more than the {ESEARCH_MAX_IDS} esearch can list, and a single day "
                    "cannot be split further; narrow the query",
                    request=f"esearch term={result.term!r}",
                )
            mid = lo + timedelta(days=(hi - lo).days // 2)
            log.info("%s %s..%s holds %d records; splitting", by, lo, hi, result.count)
            pending.append((mid + timedelta(days=1), hi))
            pending.append((lo, mid))
            continue
        out.slices.append(result)
        out.count += result.count
        for pmid in result.ids:
            if pmid not in seen:
                seen.add(pmid)
                out.ids.append(pmid)
        if on_slice is not None:
            on_slice(result)
    return out
