"""The dashboard's query parameters, checked (a bad one is an InputError naming it and the
values allowed), and the visit cookie.

The last visit is kept in a cookie holding two times, the previous visit and the latest
request: requests less than ``VISIT_GAP`` apart are one visit, so paging through the
dashboard does not move "since last visit" to a few seconds ago.
"""

from __future__ import annotations

from dataclasses import dataclass
from datetime import UTC, date, datetime, timedelta
from typing import Any

from litwatch.digests.wording import DESIGN_LABELS
from litwatch.judging.evidence import STANCES
from litwatch.store.dashboard import RELEVANCES, SORTS
from litwatch.web.page_data import InputError

VISIT_COOKIE = "litwatch_visits"
VISIT_GAP = timedelta(minutes=30)
PER_PAGE = 20
MAX_PER_PAGE = 100
MAX_PAGE = 10_000
SECTION_TITLES = {
    "contradictions": "Contradictions",
    "rcts": "New multicentre RCTs",
    "retractions": "Retractions",
    "new": "New articles by finding",
}


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
