"""The JSON API: search, articles, feedback, evidence tables, and the health check."""

from __future__ import annotations

import logging
from typing import Annotated, Any

from fastapi import APIRouter, Depends, Request
from fastapi.responses import JSONResponse, RedirectResponse, Response
from sqlmodel import Session

from litwatch.errors import StoreError
from litwatch.judging.feedback import add_feedback
from litwatch.store.engine import ping
from litwatch.store.metrics import SearchState, collect_searches
from litwatch.web.auth import require_editor, require_reader
from litwatch.web.dashboard_data import dashboard_dict, load_dashboard
from litwatch.web.dashboard_page import dashboard_args
from litwatch.web.dashboard_params import parse_dashboard
from litwatch.web.finding_page import parse_filter
from litwatch.web.forms import read_fields, to_bool
from litwatch.web.health import searches_health, service_problems
from litwatch.web.page_data import (
    InputError,
    article_dict,
    load_article,
    load_evidence,
    search_dict,
)
from litwatch.web.responses import api_error, context_of, wants_html
from litwatch.web.search_answer import answer_search

log = logging.getLogger(__name__)
router = APIRouter()


@router.get("/api/search", dependencies=[Depends(require_reader)])
def api_search(
    request: Request,
    q: str | None = None,
    local: str | None = None,
    since: str | None = None,
    limit: str | None = None,
) -> Response:
    """Ranked results of a live (default) or local search."""
    if not (q or "").strip():
        return api_error(422, "give a query: ?q=...")
    answer = answer_search(context_of(request), q, local, since, limit)
    if answer.error:
        return api_error(answer.status, answer.error)
    return JSONResponse(search_dict(answer.outcome))


@router.get("/api/articles/{pmid}", dependencies=[Depends(require_reader)])
def api_article(request: Request, pmid: str) -> Response:
    """The stored article and its classification."""
    view = load_article(context_of(request), pmid)
    if view is None:
        return api_error(404, f"PMID {pmid} is not in the store")
    return JSONResponse(article_dict(view))


_RELEVANT = {"relevant": {"type": "boolean"}}
FEEDBACK_BODY = {
    "requestBody": {
        "content": {
            "application/json": {
                "schema": {"type": "object", "properties": _RELEVANT, "required": ["relevant"]}
            },
            "application/x-www-form-urlencoded": {
                "schema": {
                    "type": "object",
                    "properties": {"relevant": {"type": "string", "enum": ["true", "false"]}},
                    "required": ["relevant"],
                }
            },
        }
    }
}


@router.post(
    "/api/articles/{pmid}/feedback",
    openapi_extra=FEEDBACK_BODY,
    dependencies=[Depends(require_editor)],
    responses={401: {"description": "not logged in"}, 403: {"description": "no CSRF token"}},
)
def api_feedback(
    request: Request, pmid: str, fields: Annotated[dict[str, Any], Depends(read_fields)]
) -> Response:
    """Label an article relevant or not (form or JSON ``relevant``); a browser is sent back."""
    ctx = context_of(request)
    relevant = to_bool(fields.get("relevant"))
    if relevant is None:
        return api_error(422, "say relevant=true or relevant=false")
    with Session(ctx.engine) as session:
        try:
            row = add_feedback(session, pmid, now=ctx.now(), relevant=relevant, source="web")
        except StoreError as exc:
            return api_error(404, str(exc))
        session.commit()
        feedback_id = row.id
    if wants_html(request):
        label = "relevant" if relevant else "not-relevant"
        return RedirectResponse(f"/article/{pmid}?feedback={label}#feedback", status_code=303)
    return JSONResponse({"pmid": pmid, "relevant": relevant, "feedback_id": feedback_id})


@router.get("/api/evidence/{finding_id}", dependencies=[Depends(require_reader)])
def api_evidence(
    request: Request, finding_id: str, design: str | None = None, stance: str | None = None
) -> Response:
    """A finding's statement and its living evidence table; ``design`` and ``stance`` narrow
    the rows (never the counts), as on the finding's page."""
    try:
        wanted = parse_filter(design, stance)
    except InputError as exc:
        return api_error(422, str(exc))
    found = load_evidence(context_of(request), finding_id)
    if found is None:
        return api_error(404, f"unknown finding {finding_id!r}")
    finding, table = found
    return JSONResponse(
        {
            "finding_id": finding.id,
            "statement": finding.statement,
            **table.as_dict(),
            "rows": [r.as_dict() for r in table.rows if wanted.keeps(r)],
        }
    )


@router.get("/api/dashboard", dependencies=[Depends(require_reader)])
def api_dashboard(
    request: Request, args: Annotated[dict[str, str], Depends(dashboard_args)]
) -> Response:
    """What is new, as on ``/dashboard`` and with its filters; without the visit cookie
    "since last visit" falls back to the last digest sent (else the last 30 days)."""
    try:
        params = parse_dashboard(args)
    except InputError as exc:
        return api_error(422, str(exc))
    ctx = context_of(request)
    view = load_dashboard(ctx, params, None)
    if view.error:
        return api_error(422, view.error)
    return JSONResponse(dashboard_dict(view))


@router.get("/healthz")
def healthz(request: Request) -> Response:
    """OK when the service can poll, the database answers and no enabled search has missed
    three of its polls; 503 with the reasons otherwise."""
    ctx = context_of(request)
    problem = ping(ctx.engine)
    searches: list[SearchState] = []
    if problem is None:
        try:
            searches = collect_searches(ctx.engine)
        except StoreError as exc:
            problem = str(exc)
    if problem is not None:
        log.error("health check: database does not answer: %s", problem)
        return JSONResponse(
            {
                "status": "error",
                "database": "unreachable",
                "polling": "off" if service_problems(ctx.settings) else "on",
                "problems": ["the database does not answer", *service_problems(ctx.settings)],
            },
            status_code=503,
        )
    s = ctx.settings
    health = searches_health(
        searches, ctx.now(), default_schedule=s.default_schedule, timezone=s.timezone
    )
    late = [h.problem for h in health if h.late]
    for line in late:
        log.error("health check: %s", line)
    # The service's own problems were logged once at start; every probe would repeat them.
    own = service_problems(s)
    problems = own + late
    body = {
        "status": "error" if problems else "ok",
        "database": "ok",
        "polling": "off" if own else "on",
        "problems": problems,
        "searches": [h.as_dict() for h in health],
    }
    return JSONResponse(body, status_code=503 if problems else 200)
