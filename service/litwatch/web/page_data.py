"""What the pages and the JSON API show, read from the store: plain data, no HTTP.

Both the HTML pages and the API call these, so a search ranks the same way everywhere.
"""

from __future__ import annotations

import logging
from dataclasses import dataclass, field, replace
from datetime import date
from typing import Any

from sqlmodel import Session

from litwatch.context import Context
from litwatch.jobs.live_search import Progress, search_live
from litwatch.judging.evidence import NOT_TRIAL_REPORTS, EvidenceRow, EvidenceTable
from litwatch.judging.evidence_cache import detailed_rows
from litwatch.judging.knowledge import Finding
from litwatch.pubmed.markup import to_plain
from litwatch.records import ArticleRecord, Classification, FindingJudgement
from litwatch.store.articles import article_record, get_article, judged_articles
from litwatch.store.classifications import get_classification, trial_reports
from litwatch.store.fulltext import SearchHit, search_articles
from litwatch.store.notices import Linked, headlines, notice_links, with_known_notices
from litwatch.store.tables import Article

log = logging.getLogger(__name__)

MAX_LIMIT = 200
DEFAULT_LIMIT = 20
# Core first, then related, then off-topic, then articles not judged yet.
RELEVANCE_RANK = {"core": 0, "related": 1, "off": 2}


class InputError(ValueError):
    """A search parameter a person typed cannot be used; the message says how to fix it."""


@dataclass
class SearchParams:
    query: str = ""
    local: bool = False
    since: date | None = None
    limit: int = DEFAULT_LIMIT


@dataclass
class ResultRow:
    """One article of a result list, with its stored judgement (None: not judged yet)."""

    article: ArticleRecord
    retracted: bool
    classification: Classification | None
    hit: SearchHit | None = None  # a local search's match, with the matched words marked

    @property
    def pmid(self) -> str:
        return self.article.pmid

    @property
    def date(self) -> date | None:
        return self.article.pub_date or self.article.create_date


@dataclass
class SearchOutcome:
    params: SearchParams
    results: list[ResultRow] = field(default_factory=list)
    total: int | None = None  # PubMed's count for a live search; None for the local store


@dataclass
class ArticleView:
    article: ArticleRecord
    row: Article
    classification: Classification | None
    notices: list[Linked] = field(default_factory=list)  # retraction notices, errata of it
    notice_of: list[Linked] = field(default_factory=list)  # what this notice is about
    same_trial: list[Linked] = field(default_factory=list)  # other reports of its trial
    trial_keys: list[str] = field(default_factory=list)  # the registry ids and names shared


def parse_params(
    q: str | None, local: str | None, since: str | None, limit: str | None
) -> SearchParams:
    """Search parameters from query-string text; InputError names what is wrong."""
    params = SearchParams(query=(q or "").strip())
    params.local = (local or "").strip().lower() in ("1", "true", "yes", "on")
    if since and since.strip():
        try:
            params.since = date.fromisoformat(since.strip())
        except ValueError:
            raise InputError(
                f"'since' must be a date written YYYY-MM-DD, not {since.strip()!r}"
            ) from None
    if limit and limit.strip():
        try:
            params.limit = int(limit.strip())
        except ValueError:
            raise InputError(f"'limit' must be a whole number, not {limit.strip()!r}") from None
        if not 1 <= params.limit <= MAX_LIMIT:
            raise InputError(f"'limit' must be between 1 and {MAX_LIMIT}")
    return params


def rank_key(row: ResultRow) -> tuple[int, float]:
    c = row.classification
    if c is None:
        return (len(RELEVANCE_RANK), 0.0)
    return (RELEVANCE_RANK.get(c.relevance, len(RELEVANCE_RANK)), -c.priority)


def result_rows(session: Session, pmids: list[str]) -> list[ResultRow]:
    """Stored rows for these PMIDs, ranked: core first, then by priority (stable otherwise)."""
    rows = [
        ResultRow(
            article_record(article),
            article.retracted,
            Classification.from_dict(c_row.data) if c_row else None,
        )
        for article, c_row in judged_articles(session, pmids)
    ]
    return sorted(rows, key=rank_key)


def local_rows(session: Session, params: SearchParams) -> list[ResultRow]:
    """Full-text hits in the store, best match first (not re-ranked by relevance)."""
    hits = search_articles(session, params.query, params.limit, since=params.since)
    by_pmid = {h.pmid: h for h in hits}
    return [
        ResultRow(
            article_record(article),
            article.retracted,
            Classification.from_dict(c_row.data) if c_row else None,
            by_pmid[article.pmid],
        )
        for article, c_row in judged_articles(session, list(by_pmid))
    ]


def run_search(
    ctx: Context, params: SearchParams, progress: Progress | None = None
) -> SearchOutcome:
    """Search PubMed now (stored and classified on the way) or the local store.

    A live search raises QueryError for a query NCBI refuses and EutilsError when NCBI
    cannot be reached.
    """
    outcome = SearchOutcome(params)
    if not params.query:
        return outcome
    if params.local:
        with Session(ctx.engine) as session:
            outcome.results = local_rows(session, params)
        return outcome
    pmids, total = search_live(
        ctx, params.query, since=params.since, limit=params.limit, progress=progress
    )
    with Session(ctx.engine) as session:
        outcome.results = result_rows(session, pmids)
    outcome.total = total
    return outcome


def load_article(ctx: Context, pmid: str) -> ArticleView | None:
    """Everything stored about one article, or None when it is not in the store."""
    with Session(ctx.engine) as session:
        row = get_article(session, pmid)
        if row is None:
            return None
        [record] = with_known_notices(session, [article_record(row)])
        links = notice_links(session, [pmid])[pmid]
        others = trial_reports(session, [pmid])[pmid]
        view = ArticleView(record, row, get_classification(session, pmid))
        view.notices, view.notice_of = links["notices"], links["notice_of"]
        if view.classification is None or view.classification.design not in NOT_TRIAL_REPORTS:
            view.same_trial = headlines(session, sorted(others), "same-trial")
            view.trial_keys = sorted({k for keys in others.values() for k in keys})
        return view


def load_evidence(
    ctx: Context, finding_id: str, *, details: bool = True
) -> tuple[Finding, EvidenceTable] | None:
    """A finding of the knowledge base and its evidence table; None for an unknown finding.
    Without ``details`` the rows lack their sentences and numbers but n (``add_details``),
    and are the ones the process keeps (``ctx.evidence_cache``): read them, change copies."""
    finding = ctx.knowledge_base.get(finding_id)
    if finding is None:
        return None
    with Session(ctx.engine) as session:
        table = ctx.evidence_cache.table(session, finding_id)
        if details:
            table = replace(table, rows=detailed_rows(session, finding_id, table.rows))
    return finding, table


def add_details(ctx: Context, finding_id: str, rows: list[EvidenceRow]) -> list[EvidenceRow]:
    """Copies of the evidence rows a page shows, with their sentences and numbers."""
    with Session(ctx.engine) as session:
        return detailed_rows(session, finding_id, rows)


# --- JSON shapes ----------------------------------------------------------------------


def result_dict(row: ResultRow) -> dict[str, Any]:
    """One search result for the API: the article's headline and the classifier's verdict."""
    a, c = row.article, row.classification
    return {
        "pmid": a.pmid,
        "title": a.title,
        "title_text": to_plain(a.title),
        "journal": a.journal_iso or a.journal_title,
        "date": row.date.isoformat() if row.date else None,
        "doi": a.doi,
        "retracted": row.retracted,
        "relevance": c.relevance if c else None,
        "relevance_score": c.relevance_score if c else None,
        "design": c.design if c else None,
        "priority": c.priority if c else None,
        "explanation": c.explanation if c else "",
        "flags": list(c.flags) if c else [],
        "findings": [_judgement_dict(j, brief=True) for j in c.findings] if c else [],
        **(row.hit.as_dict() if row.hit else {}),
    }


def _judgement_dict(j: FindingJudgement, *, brief: bool = False) -> dict[str, Any]:
    """A finding's judgement; one that needs review says so and carries its sentence."""
    out: dict[str, Any] = {
        "finding_id": j.finding_id,
        "stance": j.stance,
        "confidence": j.confidence,
        "needs_review": j.needs_review,
    }
    if j.needs_review or not brief:
        out["sentence"] = j.evidence[0].sentence if j.evidence else ""
    return out


def _linked_dict(link: Linked) -> dict[str, Any]:
    return {
        "pmid": link.pmid,
        "kind": link.kind,
        "title": link.title,
        "year": link.year,
        "stored": link.stored,
    }


def search_dict(outcome: SearchOutcome) -> dict[str, Any]:
    p = outcome.params
    return {
        "query": p.query,
        "local": p.local,
        "since": p.since.isoformat() if p.since else None,
        "limit": p.limit,
        "total": outcome.total,
        "results": [result_dict(r) for r in outcome.results],
    }


def article_dict(view: ArticleView) -> dict[str, Any]:
    return {
        "article": view.article.to_dict(),
        "retracted": view.row.retracted,
        "deleted": view.row.deleted,
        "first_seen": view.row.first_seen.isoformat() if view.row.first_seen else None,
        "classification": view.classification.to_dict() if view.classification else None,
        "needs_review": [_judgement_dict(j) for j in view.classification.findings if j.needs_review]
        if view.classification
        else [],
        "notices": [_linked_dict(x) for x in view.notices],
        "notice_of": [_linked_dict(x) for x in view.notice_of],
        "same_trial": [_linked_dict(x) for x in view.same_trial],
        "trial_keys": list(view.trial_keys),
    }
