"""The dashboard page (``/dashboard``): what is new since the last visit or digest, with its
filters; it sets the visit cookie on every answer. ``dashboard_args`` declares the query
parameters that the page and ``/api/dashboard`` share."""

from __future__ import annotations

from typing import Annotated

from fastapi import APIRouter, Depends, Query, Request
from fastapi.responses import HTMLResponse

from litwatch.digests.wording import DESIGN_LABELS
from litwatch.judging.evidence import STANCES
from litwatch.store.dashboard import RELEVANCES, SORTS
from litwatch.web.auth import require_reader
from litwatch.web.dashboard_data import TOP_SECTIONS, load_dashboard
from litwatch.web.dashboard_params import VISIT_COOKIE, next_visits, parse_dashboard
from litwatch.web.export_data import dashboard_downloads
from litwatch.web.page_data import InputError
from litwatch.web.responses import context_of, error_page, render

router = APIRouter(dependencies=[Depends(require_reader)])
VISIT_COOKIE_DAYS = 400  # the longest a browser keeps a cookie


def dashboard_args(
    since: str | None = None,
    since_date: str | None = None,
    q: str | None = None,
    relevance: str | None = None,
    design: str | None = None,
    stance: str | None = None,
    date_from: Annotated[str | None, Query(alias="from")] = None,
    date_to: Annotated[str | None, Query(alias="to")] = None,
    review: str | None = None,
    sort: str | None = None,
    section: str | None = None,
    page: str | None = None,
    per_page: str | None = None,
) -> dict[str, str]:
    """The dashboard's query parameters as typed (checked by ``parse_dashboard``)."""
    values = {
        "since": since,
        "since_date": since_date,
        "q": q,
        "relevance": relevance,
        "design": design,
        "stance": stance,
        "from": date_from,
        "to": date_to,
        "review": review,
        "sort": sort,
        "section": section,
        "page": page,
        "per_page": per_page,
    }
    return {k: v for k, v in values.items() if v is not None}


@router.get("/dashboard", response_class=HTMLResponse)
def dashboard_page(
    request: Request, args: Annotated[dict[str, str], Depends(dashboard_args)]
) -> HTMLResponse:
    """What is new: contradictions, multicentre RCTs and retractions first, then by finding."""
    ctx = context_of(request)
    previous, cookie = next_visits(request.cookies.get(VISIT_COOKIE), ctx.now())
    try:
        params = parse_dashboard(args)
    except InputError as exc:
        response = error_page(request, 422, "Bad filter", str(exc))
    else:
        view = load_dashboard(ctx, params, previous)
        response = render(
            request,
            "dashboard.html",
            422 if view.error else 200,
            view=view,
            p=params,
            top_titles=TOP_SECTIONS,
            designs=DESIGN_LABELS,
            stances=STANCES,
            relevances=RELEVANCES,
            sorts=SORTS,
            downloads=dashboard_downloads(params, view.since),
        )
    response.set_cookie(
        VISIT_COOKIE,
        cookie,
        max_age=VISIT_COOKIE_DAYS * 86400,
        httponly=True,
        samesite="lax",
        secure=ctx.settings.base_url.startswith("https://"),
    )
    return response
