"""On-demand search: run a query against PubMed now, store and classify what it finds."""

from __future__ import annotations

from collections.abc import Callable
from datetime import date

from sqlmodel import Session

from litwatch.context import Context
from litwatch.eutils.date_slices import crdt_term
from litwatch.judging.classify_stored import classify_changed
from litwatch.pubmed.parser import parse_pubmed_xml
from litwatch.store.articles import stored_pmids, upsert_articles

# Records a live search fetches a request: small enough that a person sees the fetch move on
# (a search asks for at most a few hundred), large enough to cost few requests.
LIVE_BATCH = 50

Progress = Callable[[str, int, int], None]  # (stage, done, total): "searching", "fetching"


def search_live(
    ctx: Context,
    query: str,
    *,
    since: date | None = None,
    limit: int = 20,
    progress: Progress | None = None,
) -> tuple[list[str], int]:
    """The first ``limit`` PMIDs PubMed gives for ``query`` (stored and classified), and the
    total count. Records already stored are fetched again only when they changed.

    ``progress`` hears "searching" before the esearch, then "fetching" with the records
    fetched, stored and judged so far out of those to fetch."""
    report = progress or (lambda stage, done, total: None)
    term = crdt_term(query, since, ctx.now().date()) if since else query
    report("searching", 0, 0)
    result = ctx.eutils.esearch(term, retmax=limit, usehistory=False)
    pmids = result.ids[:limit]
    with Session(ctx.engine) as session:
        missing = [p for p in pmids if p not in stored_pmids(session, pmids)]
        report("fetching", 0, len(missing))
        done = 0
        batches = ctx.eutils.iter_id_batches(missing, batch_size=LIVE_BATCH) if missing else ()
        for chunk, xml in batches:
            parsed = parse_pubmed_xml(xml)
            stored = upsert_articles(session, parsed.articles, now=ctx.now())
            session.commit()
            classify_changed(session, stored, parsed.articles, kb=ctx.knowledge_base, now=ctx.now())
            done += len(chunk)
            report("fetching", done, len(missing))
    return pmids, result.count
