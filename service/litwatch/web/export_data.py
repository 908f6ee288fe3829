"""Which articles a download holds: the list a page shows, chosen by the page's own parameters.

A page's download links carry its query string, so the file holds what the page lists: a
search's results (``q``, ``local``, ``since``, ``limit``, and ``job``: the finished live search
the page shows, exported without asking PubMed again), a finding's evidence table
(``finding``, ``design``, ``stance``), a saved search (``search``), a collection
(``collection``), a section of the dashboard (``dashboard``: the dashboard's own query string,
with ``since_at``: the moment its "new" started, so the file holds what the page showed
whatever visits come after), or with none of these every stored article. ``relevance``
(core, related, off; several joined by commas) narrows any of them.
"""

from __future__ import annotations

import re
from collections.abc import Iterator
from dataclasses import dataclass
from datetime import datetime
from urllib.parse import parse_qsl, urlencode

from sqlmodel import Session

from litwatch.context import Context
from litwatch.export.rows import ExportRow, iter_export_rows
from litwatch.store.collections import collection_pmids, find_collection
from litwatch.store.searches import find_search
from litwatch.web.dashboard_data import dashboard_pmids
from litwatch.web.dashboard_params import DashboardParams, parse_dashboard
from litwatch.web.finding_page import parse_filter
from litwatch.web.page_data import InputError, load_evidence
from litwatch.web.search_answer import SearchAnswer, answer_search

RELEVANCES = ("core", "related", "off")
# File extension and Content-Type of each format.
FILE_TYPES = {
    "csv": ("csv", "text/csv; charset=utf-8"),
    "ris": ("ris", "application/x-research-info-systems; charset=utf-8"),
    "bibtex": ("bib", "application/x-bibtex; charset=utf-8"),
    "medline": ("nbib", "application/nbib; charset=utf-8"),
    "jsonl": ("jsonl", "application/x-ndjson; charset=utf-8"),
}
# The formats the pages offer, in the order they are shown, with their link text.
OFFERED = (("csv", "CSV"), ("ris", "RIS"), ("bibtex", "BibTeX"), ("medline", "MEDLINE (.nbib)"))


class NotFound(LookupError):
    """The list named by the parameters does not exist (a search, collection or finding)."""


@dataclass
class ExportParams:
    search: str = ""
    collection: str = ""
    finding: str = ""
    design: str = ""
    stance: str = ""
    q: str = ""
    local: str = ""
    since: str = ""
    limit: str = ""
    relevance: str = ""
    dashboard: str = ""
    since_at: str = ""

    def sources(self) -> list[str]:
        named = {"search": self.search, "collection": self.collection, "finding": self.finding}
        named["q"] = self.q
        named["dashboard"] = self.dashboard
        return [k for k, v in named.items() if v.strip()]


@dataclass
class Selection:
    label: str  # names the file: litwatch-<label>.<ext>
    pmids: list[str] | None  # None: the articles of ``search_name`` (or every one)
    search_name: str | None = None


def wanted_relevances(text: str) -> set[str]:
    """``relevance=core,related`` as a set; InputError for an unknown value."""
    values = {v.strip() for v in text.split(",") if v.strip()}
    bad = sorted(values - set(RELEVANCES))
    if bad:
        raise InputError(f"Unknown relevance {bad[0]!r}: use one of {', '.join(RELEVANCES)}.")
    return values


def _slug(text: str) -> str:
    return re.sub(r"[^a-z0-9]+", "-", text.lower()).strip("-")[:60] or "list"


def download_links(**params: str | None) -> list[tuple[str, str]]:
    """(link text, URL) of each offered format for the list these page parameters name."""
    query = urlencode({k: v for k, v in params.items() if v})
    return [(text, f"/export/{fmt}" + (f"?{query}" if query else "")) for fmt, text in OFFERED]


def select_articles(
    ctx: Context, p: ExportParams, finished: SearchAnswer | None = None
) -> Selection:
    """The list the parameters name. InputError (422) for a bad value, NotFound (404) for a
    list that does not exist; a live search PubMed refuses or cannot answer is an InputError
    carrying the page's message. ``finished``: the page's live search, already answered."""
    sources = p.sources()
    if len(sources) > 1:
        raise InputError(f"Give one list to export, not {' and '.join(sources)}.")
    if p.search.strip():
        name = p.search.strip()
        with Session(ctx.engine) as session:
            if find_search(session, name) is None:
                raise NotFound(f"There is no saved search {name!r}.")
        return Selection(f"search-{_slug(name)}", None, name)
    if p.collection.strip():
        name = p.collection.strip()
        with Session(ctx.engine) as session:
            if find_collection(session, name) is None:
                raise NotFound(f"There is no collection {name!r}.")
            return Selection(f"collection-{_slug(name)}", collection_pmids(session, name))
    if p.finding.strip():
        wanted = parse_filter(p.design, p.stance)
        found = load_evidence(ctx, p.finding.strip(), details=False)
        if found is None:
            raise NotFound(f"There is no known finding {p.finding.strip()!r}.")
        finding, table = found
        parts = [finding.id, wanted.design, wanted.stance]
        pmids = [r.pmid for r in table.rows if wanted.keeps(r)]
        return Selection("evidence-" + "-".join(_slug(x) for x in parts if x), pmids)
    if p.dashboard.strip():
        return _dashboard_selection(ctx, p)
    if p.q.strip():
        answer = finished or answer_search(ctx, p.q, p.local, p.since, p.limit)
        if answer.error:
            raise InputError(answer.error)
        pmids = [r.pmid for r in answer.outcome.results]
        return Selection(f"search-results-{_slug(p.q)}", pmids)
    return Selection("all", None)


def _dashboard_selection(ctx: Context, p: ExportParams) -> Selection:
    args = dict(parse_qsl(p.dashboard.strip(), keep_blank_values=False))
    params = parse_dashboard(args)  # InputError names a bad value, as the page does
    try:
        since = datetime.fromisoformat(p.since_at.strip())
    except ValueError:
        raise InputError(
            f"'since_at' must be a moment written as ISO 8601, not {p.since_at.strip()!r}"
        ) from None
    if since.tzinfo is None:
        raise InputError("'since_at' must say its time zone (for example +00:00)")
    return Selection(f"dashboard-{_slug(params.section)}", dashboard_pmids(ctx, params, since))


def dashboard_downloads(params: DashboardParams, since: datetime) -> list[tuple[str, str]]:
    """The download links of a dashboard section: every page of it, the window held fixed."""
    query = urlencode(params.query_args(page="", per_page=""))
    return download_links(dashboard=query or "section=new", since_at=since.isoformat())


def iter_selected(
    session: Session, selection: Selection, relevances: set[str]
) -> Iterator[ExportRow]:
    """The export rows of the selection, narrowed to ``relevances`` when any are given."""
    for row in iter_export_rows(session, selection.search_name, selection.pmids):
        c = row.classification
        if not relevances or (c is not None and c.relevance in relevances):
            yield row
