"""What the dashboard shows: the moment "new" starts from (the last visit, the last digest,
or a date) and the sections read through ``store.dashboard``, for the parameters
``dashboard_params`` checked. The page and ``/api/dashboard`` both call ``load_dashboard``.
"""

from __future__ import annotations

from dataclasses import dataclass, field
from datetime import UTC, datetime, time, timedelta
from typing import Any
from zoneinfo import ZoneInfo

from sqlmodel import Session

from litwatch.context import Context
from litwatch.digests.candidates import strength
from litwatch.errors import SearchQueryError
from litwatch.records import Classification
from litwatch.store.articles import article_record
from litwatch.store.dashboard import (
    RELEVANCES,
    DashboardFilter,
    last_digest_sent,
    section_count,
    section_head,
    section_page,
    section_pmids,
)
from litwatch.store.fulltext import marked_hits
from litwatch.web.dashboard_params import SECTION_TITLES, DashboardParams
from litwatch.web.page_data import ResultRow, result_dict

DEFAULT_WINDOW = timedelta(days=30)  # first visit and no digest sent yet
SECTION_SHOWN = 3  # articles each top section shows before "all of them"
COUNT_CAP = 100  # sections are counted up to this ("100+"): a count past it costs a walk
TOP_SECTIONS = {k: v for k, v in SECTION_TITLES.items() if k != "new"}


@dataclass
class Section:
    key: str
    title: str
    rows: list[ResultRow]
    count: int  # up to COUNT_CAP
    has_more: bool

    @property
    def count_text(self) -> str:
        return f"{self.count}+" if self.count >= COUNT_CAP else str(self.count)


@dataclass
class FindingGroup:
    finding_id: str  # "" for articles that judge no known finding
    statement: str
    rows: list[ResultRow] = field(default_factory=list)


@dataclass
class Dashboard:
    params: DashboardParams
    since: datetime
    since_label: str
    tops: list[Section]
    main: Section
    groups: list[FindingGroup]
    error: str = ""


def resolve_since(
    session: Session, params: DashboardParams, previous_visit: datetime | None, ctx: Context
) -> tuple[datetime, str]:
    """The moment "new" starts from, and how to say where it comes from."""
    now = ctx.now()
    if params.since_date is not None:
        start = datetime.combine(params.since_date, time(), ZoneInfo(ctx.settings.timezone))
        return start.astimezone(UTC), f"since {params.since_date.isoformat()}"
    if params.since == "last-visit" and previous_visit is not None:
        return previous_visit, "since your last visit"
    sent = last_digest_sent(session)
    if sent is not None:
        prefix = "" if params.since == "last-digest" else "first visit: "
        return sent, f"{prefix}since the last digest sent"
    return now - DEFAULT_WINDOW, "in the last 30 days (no digest sent yet)"


def _filter(params: DashboardParams, since: datetime) -> DashboardFilter:
    relevance: tuple[str, ...] = ("core", "related")
    if params.relevance == "all":
        relevance = RELEVANCES
    elif params.relevance:
        relevance = (params.relevance,)
    return DashboardFilter(
        since=since,
        text=params.q,
        relevance=relevance,
        design=params.design,
        stance=params.stance,
        date_from=params.date_from,
        date_to=params.date_to,
        needs_review=params.review,
        sort=params.sort,
    )


def _section(
    session: Session, wanted: DashboardFilter, key: str, limit: int, offset: int
) -> Section:
    count = 0
    if key in TOP_SECTIONS and offset == 0 and limit < COUNT_CAP:  # one walk: rows and count
        page, count = section_head(session, wanted, key, shown=limit, cap=COUNT_CAP)
        more = count > limit
    else:
        page, more = section_page(session, wanted, key, limit=limit, offset=offset)
        if key in TOP_SECTIONS:
            count = section_count(session, wanted, key, cap=COUNT_CAP)
    # With words asked for, each row shows them marked, as a local search's results do.
    hits = marked_hits(session, wanted.text, [a.pmid for a, _ in page]) if wanted.text else {}
    rows = [
        ResultRow(
            article_record(a), a.retracted, Classification.from_dict(c.data), hits.get(a.pmid)
        )
        for a, c in page
    ]
    return Section(key, SECTION_TITLES[key], rows, count, more)


def group_by_finding(
    rows: list[ResultRow], statements: dict[str, str], stance: str = ""
) -> list[FindingGroup]:
    """The rows under the finding each bears on most (its strongest judgement, or the one
    with the stance asked for), findings in the knowledge base's order, the rest last."""
    groups = {fid: FindingGroup(fid, text) for fid, text in statements.items()}
    rest = FindingGroup("", "Judging no known finding")
    for row in rows:
        judgements = row.classification.findings if row.classification else []
        if stance:
            judgements = [j for j in judgements if j.stance == stance] or judgements
        known = [j for j in judgements if j.finding_id in groups]
        if known:
            groups[max(known, key=strength).finding_id].rows.append(row)
        else:
            rest.rows.append(row)
    return [g for g in [*groups.values(), rest] if g.rows]


def load_dashboard(
    ctx: Context, params: DashboardParams, previous_visit: datetime | None
) -> Dashboard:
    """The dashboard for these parameters; a search with no word is reported, not raised."""
    statements = {f.id: f.statement for f in ctx.knowledge_base.findings}
    with Session(ctx.engine) as session:
        since, label = resolve_since(session, params, previous_visit, ctx)
        wanted = _filter(params, since)
        offset = (params.page - 1) * params.per_page
        try:
            tops = [
                _section(session, wanted, key, SECTION_SHOWN, 0)
                for key in TOP_SECTIONS
                if params.section == "new"
            ]
            main = _section(session, wanted, params.section, params.per_page, offset)
        except SearchQueryError as exc:
            empty = Section(params.section, SECTION_TITLES[params.section], [], 0, False)
            return Dashboard(params, since, label, [], empty, [], error=str(exc))
    groups = group_by_finding(main.rows, statements, params.stance) if main.key == "new" else []
    return Dashboard(params, since, label, tops, main, groups)


EXPORT_CAP = 5000  # articles a download of a dashboard section holds at most


def dashboard_pmids(ctx: Context, params: DashboardParams, since: datetime) -> list[str]:
    """The PMIDs of the section ``params`` shows, every page of it (up to ``EXPORT_CAP``),
    new since ``since``: what a download of the dashboard holds."""
    with Session(ctx.engine) as session:
        return section_pmids(session, _filter(params, since), params.section, limit=EXPORT_CAP)


def dashboard_dict(view: Dashboard) -> dict[str, Any]:
    """The dashboard for the API: the window, the top sections and the page asked for."""
    p = view.params

    def section(s: Section) -> dict[str, Any]:
        out: dict[str, Any] = {"results": [result_dict(r) for r in s.rows], "more": s.has_more}
        if s.key in TOP_SECTIONS:
            out["count"] = s.count
            out["count_capped"] = s.count >= COUNT_CAP
        return out

    return {
        "since": view.since.isoformat(),
        "since_label": view.since_label,
        "filters": p.query_args(page="", per_page="", section=""),
        "sections": {s.key: section(s) for s in view.tops},
        "section": p.section,
        "page": p.page,
        "per_page": p.per_page,
        "next_page": p.page + 1 if view.main.has_more else None,
        **section(view.main),
        "groups": [
            {"finding_id": g.finding_id or None, "pmids": [r.pmid for r in g.rows]}
            for g in view.groups
        ],
    }
