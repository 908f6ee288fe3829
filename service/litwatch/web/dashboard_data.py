"""What the dashboard shows: its parameters read from the query string, the moment "new"
starts from (the last visit, the last digest, or a date), and the sections read through
``store.dashboard``. The page and ``/api/dashboard`` both call ``load_dashboard``.

The last visit is kept in a cookie holding two times, the previous visit and the latest
request: requests less than ``VISIT_GAP`` apart are one visit, so paging through the
dashboard does not move "since last visit" to a few seconds ago.
"""

from __future__ import annotations

from dataclasses import dataclass, field
from datetime import UTC, date, datetime, time, timedelta
from typing import Any
from zoneinfo import ZoneInfo

from sqlmodel import Session

from litwatch.context import Context
from litwatch.digests.candidates import strength
from litwatch.digests.wording import DESIGN_LABELS
from litwatch.errors import SearchQueryError
from litwatch.judging.evidence import STANCES
from litwatch.records import Classification
from litwatch.store.articles import article_record
from litwatch.store.dashboard import (
    RELEVANCES,
    SORTS,
    DashboardFilter,
    last_digest_sent,
    section_count,
    section_page,
)
from litwatch.web.page_data import InputError, ResultRow, result_dict

VISIT_COOKIE = "litwatch_visits"
VISIT_GAP = timedelta(minutes=30)
DEFAULT_WINDOW = timedelta(days=30)  # first visit and no digest sent yet
PER_PAGE = 20
MAX_PER_PAGE = 100
MAX_PAGE = 10_000
SECTION_SHOWN = 3  # articles each top section shows before "all of them"
COUNT_CAP = 100  # sections are counted up to this ("100+"): a count past it costs a walk
TOP_SECTIONS = {
    "contradictions": "Contradictions",
    "rcts": "New multicentre RCTs",
    "retractions": "Retractions",
}
SECTION_TITLES = {**TOP_SECTIONS, "new": "New articles by finding"}


@dataclass
class DashboardParams:
    since: str = "last-visit"  # last-visit | last-digest
    since_date: date | None = None  # given: new since that day (wins over ``since``)
    q: str = ""
    relevance: str = ""  # "": core and related; all; or one of RELEVANCES
    design: str = ""
    stance: str = ""
    date_from: date | None = None
    date_to: date | None = None
    review: bool = False
    sort: str = "newest"
    section: str = "new"
    page: int = 1
    per_page: int = PER_PAGE

    def query_args(self, **changes: Any) -> dict[str, str]:
        """The non-default parameters as query-string values (for links), with ``changes``."""
        values: dict[str, Any] = {
            "since": self.since if self.since != "last-visit" else "",
            "since_date": self.since_date.isoformat() if self.since_date else "",
            "q": self.q,
            "relevance": self.relevance,
            "design": self.design,
            "stance": self.stance,
            "from": self.date_from.isoformat() if self.date_from else "",
            "to": self.date_to.isoformat() if self.date_to else "",
            "review": "1" if self.review else "",
            "sort": self.sort if self.sort != "newest" else "",
            "section": self.section if self.section != "new" else "",
            "per_page": str(self.per_page) if self.per_page != PER_PAGE else "",
            "page": str(self.page) if self.page != 1 else "",
        }
        values.update(changes)
        return {k: str(v) for k, v in values.items() if v not in ("", None)}


def _date(name: str, value: str | None) -> date | None:
    value = (value or "").strip()
    if not value:
        return None
    try:
        return date.fromisoformat(value)
    except ValueError:
        raise InputError(f"'{name}' must be a date written YYYY-MM-DD, not {value!r}") from None


def _whole(name: str, value: str | None, default: int, low: int, high: int) -> int:
    value = (value or "").strip()
    if not value:
        return default
    try:
        number = int(value)
    except ValueError:
        raise InputError(f"'{name}' must be a whole number, not {value!r}") from None
    if not low <= number <= high:
        raise InputError(f"'{name}' must be between {low} and {high}, not {number}")
    return number


def _choice(name: str, value: str | None, allowed: tuple[str, ...] | list[str]) -> str:
    value = (value or "").strip()
    if value and value not in allowed:
        raise InputError(f"Unknown {name} {value!r}: use one of {', '.join(allowed)}.")
    return value


def parse_dashboard(args: dict[str, str]) -> DashboardParams:
    """The dashboard's parameters from the query string; InputError names a bad one."""
    p = DashboardParams()
    # A date wins over the choice beside it (the form sends both); ``since`` may be a date.
    since = (args.get("since") or "").strip()
    p.since_date = _date("since_date", args.get("since_date"))
    if since not in ("", "last-visit", "last-digest"):
        p.since_date = p.since_date or _date("since", since)
    elif since:
        p.since = since
    p.q = (args.get("q") or "").strip()
    p.relevance = _choice("relevance", args.get("relevance"), [*RELEVANCES, "all"])
    p.design = _choice("design", args.get("design"), list(DESIGN_LABELS))
    p.stance = _choice("stance", args.get("stance"), STANCES)
    p.date_from = _date("from", args.get("from"))
    p.date_to = _date("to", args.get("to"))
    if p.date_from and p.date_to and p.date_from > p.date_to:
        raise InputError("'from' must not be after 'to'")
    review = (args.get("review") or "").strip().lower()
    if review not in ("", "0", "1", "true", "false", "on", "yes", "no"):
        raise InputError(f"'review' must be 1 or 0, not {review!r}")
    p.review = review in ("1", "true", "on", "yes")
    p.sort = _choice("sort", args.get("sort"), SORTS) or "newest"
    p.section = _choice("section", args.get("section"), list(SECTION_TITLES)) or "new"
    p.page = _whole("page", args.get("page"), 1, 1, MAX_PAGE)
    p.per_page = _whole("per_page", args.get("per_page"), PER_PAGE, 1, MAX_PER_PAGE)
    return p


# --- the last visit ---------------------------------------------------------------------


def read_visits(cookie: str | None) -> tuple[datetime | None, datetime | None]:
    """(previous visit, latest request) from the cookie; (None, None) when absent or bad."""
    try:
        previous, latest = (cookie or "").split(".")
        return (
            datetime.fromtimestamp(int(previous), UTC) if previous != "-" else None,
            datetime.fromtimestamp(int(latest), UTC),
        )
    except (ValueError, OverflowError, OSError):
        return None, None


def next_visits(cookie: str | None, now: datetime) -> tuple[datetime | None, str]:
    """The previous visit as of this request, and the cookie value to set now."""
    previous, latest = read_visits(cookie)
    if latest is not None and now - latest >= VISIT_GAP:
        previous = latest  # a new visit: the latest request of the last one is the last visit
    value = f"{int(previous.timestamp()) if previous else '-'}.{int(now.timestamp())}"
    return previous, value


# --- the dashboard ----------------------------------------------------------------------


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
    page, more = section_page(session, wanted, key, limit=limit, offset=offset)
    rows = [
        ResultRow(article_record(a), a.retracted, Classification.from_dict(c.data)) for a, c in page
    ]
    count = 0
    if key in TOP_SECTIONS:  # a page that holds the whole section has counted it already
        count = section_count(session, wanted, key, cap=COUNT_CAP) if more else len(rows)
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
