"""On-demand search: run a query against PubMed now, store and classify what it finds."""

from __future__ import annotations

from datetime import date

from sqlmodel import Session

from litwatch.context import Context
from litwatch.eutils.date_slices import crdt_term
from litwatch.judging.classify_stored import classify_changed
from litwatch.pubmed.parser import parse_pubmed_xml
from litwatch.store.articles import stored_pmids, upsert_articles


def search_live(
    ctx: Context, query: str, *, since: date | None = None, limit: int = 20
) -> tuple[list[str], int]:
    """The first ``limit`` PMIDs PubMed gives for ``query`` (stored and classified), and the
    total count. Records already stored are fetched again only when they changed."""
    term = crdt_term(query, since, ctx.now().date()) if since else query
    result = ctx.eutils.esearch(term, retmax=limit, usehistory=False)
    pmids = result.ids[:limit]
    with Session(ctx.engine) as session:
        missing = [p for p in pmids if p not in stored_pmids(session, pmids)]
        for _, xml in ctx.eutils.iter_id_batches(missing) if missing else ():
            parsed = parse_pubmed_xml(xml)
            stored = upsert_articles(session, parsed.articles, now=ctx.now())
            session.commit()
            classify_changed(session, stored, parsed.articles, kb=ctx.knowledge_base, now=ctx.now())
    return pmids, result.count
