"""The recall audit of a saved search: the core articles its query missed, and why.

The broader query (the saved query without its drug blocks, ``eutils.query_blocks``) is run
over the same create dates as the saved query; every record it finds is classified in memory
(the stored record when there is one, else fetched through the shared rate limit). The core
articles the saved query did not return are the misses, each with the words the query would
need (``judging.recall_gaps``). Nothing is written to the store: the audit looks, it does not
poll, so the misses do not turn up in digests until the query is changed.
"""

from __future__ import annotations

from collections.abc import Callable
from dataclasses import dataclass, field
from datetime import date
from typing import Any

from sqlmodel import Session

from litwatch.context import Context
from litwatch.errors import QueryError, StoreError
from litwatch.eutils.date_slices import collect_ids, crdt_term
from litwatch.eutils.query_blocks import broader_query
from litwatch.judging.feedback import load_learned_model
from litwatch.judging.knowledge import KnowledgeBase
from litwatch.judging.recall_gaps import drug_words, missing_terms
from litwatch.judging.rules import classify_article
from litwatch.pubmed.markup import to_plain
from litwatch.pubmed.parser import parse_pubmed_xml
from litwatch.records import ArticleRecord, Classification
from litwatch.store.classifications import list_article_records
from litwatch.store.searches import get_search
from litwatch.store.tables import SavedSearch

__all__ = ["AuditReport", "MissedArticle", "audit_search", "audit_window"]

EARLIEST = date(1800, 1, 1)  # before any PubMed create date, as a poll's backfill
MAX_RECORDS = 2000  # the broader query's records an audit reads, unless told otherwise

Progress = Callable[[int, int], None]  # (records read, records to read)


@dataclass(slots=True)
class MissedArticle:
    """A core article the broader query found and the saved query did not."""

    pmid: str
    title: str  # plain text
    year: int | None
    design: str
    score: float
    drug_words: list[str]  # the drug as the article names it
    suggestions: list[str]  # '"term"[tiab]' additions the saved query lacks

    def to_dict(self) -> dict[str, Any]:
        return {
            "pmid": self.pmid,
            "title": self.title,
            "year": self.year,
            "design": self.design,
            "relevance_score": round(self.score, 3),
            "drug_words": self.drug_words,
            "suggested_terms": self.suggestions,
        }


@dataclass(slots=True)
class AuditReport:
    """What one audit found: the counts, and the misses, best judged first."""

    search: str
    query: str
    broader: str
    window: tuple[date, date]
    broader_hits: int = 0
    saved_hits: int = 0
    core_found: int = 0  # core articles among the broader query's records
    core_caught: int = 0  # ... of which the saved query returns
    missed: list[MissedArticle] = field(default_factory=list)
    fetched: int = 0  # records fetched from E-utilities (the rest were stored already)
    requests: int = 0

    @property
    def recall(self) -> float | None:
        """The share of the core articles found that the saved query catches."""
        return self.core_caught / self.core_found if self.core_found else None

    def suggestions(self) -> list[str]:
        """Every suggested addition, most often needed first."""
        counts: dict[str, int] = {}
        for m in self.missed:
            for s in m.suggestions:
                counts[s] = counts.get(s, 0) + 1
        return sorted(counts, key=lambda s: (-counts[s], s.lower()))

    def to_dict(self) -> dict[str, Any]:
        recall = self.recall
        return {
            "search": self.search,
            "query": self.query,
            "broader_query": self.broader,
            "since": self.window[0].isoformat(),
            "until": self.window[1].isoformat(),
            "broader_hits": self.broader_hits,
            "saved_hits": self.saved_hits,
            "core_found_by_broader": self.core_found,
            "core_caught_by_saved": self.core_caught,
            "recall_estimate": None if recall is None else round(recall, 3),
            "missed": [m.to_dict() for m in self.missed],
            "suggested_terms": self.suggestions(),
            "records_fetched": self.fetched,
            "requests": self.requests,
        }


def audit_window(search: SavedSearch, today: date) -> tuple[date, date]:
    """The create dates the search's polls have covered: its backfill start (or all of
    PubMed) to its watermark (or today, before the first poll)."""
    return (search.backfill_start or EARLIEST, search.watermark or today)


def audit_search(
    ctx: Context,
    name: str,
    *,
    since: date | None = None,
    until: date | None = None,
    max_records: int = MAX_RECORDS,
    progress: Progress | None = None,
) -> AuditReport:
    """Audit one saved search (StoreError: no such search; QueryError: no disease block, or
    more records than ``max_records``; EutilsError: PubMed failed)."""
    kb = ctx.knowledge_base
    with Session(ctx.engine) as session:
        search = get_search(session, name)
        start, end = audit_window(search, ctx.now().date())
        window = (since or start, until or end)
        if window[0] > window[1]:
            raise StoreError(f"the audit window starts after it ends: {window[0]} > {window[1]}")
        query = search.query
        learned = load_learned_model(session, kb)
    broader = broader_query(query, kb.topic.intervention, kb.topic.condition)
    report = AuditReport(name, query, broader.query, window)
    before = ctx.eutils.requests_made

    counted = ctx.eutils.esearch(crdt_term(broader.query, *window), retmax=0, usehistory=False)
    if counted.count > max_records:
        raise QueryError(
            f"the broader query finds {counted.count} records from {window[0]} to {window[1]}, "
            f"more than the {max_records} an audit reads: narrow the dates (since/until)"
        )
    found = collect_ids(ctx.eutils, broader.query, *window).ids
    saved = set(collect_ids(ctx.eutils, query, *window).ids)
    report.broader_hits, report.saved_hits = len(found), len(saved)

    records = _records(ctx, found, report, progress)
    for pmid in found:
        record = records.get(pmid)
        if record is not None and not record.is_notice:
            judged = classify_article(record, kb, learned=learned, today=ctx.now().date())
            _count(report, record, judged, pmid in saved, kb)
    report.missed.sort(key=lambda m: (-m.score, m.pmid))
    report.requests = ctx.eutils.requests_made - before
    return report


def _count(
    report: AuditReport,
    record: ArticleRecord,
    judged: Classification,
    caught: bool,
    kb: KnowledgeBase,
) -> None:
    """Count a core article, as caught by the saved query or as one it missed."""
    if judged.relevance != "core":
        return
    report.core_found += 1
    if caught:
        report.core_caught += 1
        return
    report.missed.append(
        MissedArticle(
            pmid=record.pmid,
            title=to_plain(record.title),
            year=record.pub_year,
            design=judged.design,
            score=judged.relevance_score,
            drug_words=drug_words(record, kb),
            suggestions=missing_terms(record, report.query, kb),
        )
    )


def _records(
    ctx: Context, pmids: list[str], report: AuditReport, progress: Progress | None
) -> dict[str, ArticleRecord]:
    """The records of ``pmids``: stored ones from the store, the others fetched (not stored)."""
    with Session(ctx.engine) as session:
        records = {r.pmid: r for r in list_article_records(session, pmids)}
    missing = [p for p in pmids if p not in records]
    done, total = len(records), len(pmids)
    if progress:
        progress(done, total)
    for _, xml in ctx.eutils.iter_id_batches(missing) if missing else ():
        parsed = parse_pubmed_xml(xml)
        for record in parsed.articles:
            records[record.pmid] = record
        report.fetched += len(parsed.articles)
        done += len(parsed.articles)
        if progress:
            progress(min(done, total), total)
    return records
