"""The recall audit of a saved search: the page ``/searches/NAME/audit`` and its JSON twin.

The page shows the dates and the broader query first; the audit runs when the form is sent
(``run=1`` in the query string), as a live search does: it reads PubMed and stores nothing.
"""

from __future__ import annotations

import logging
from dataclasses import dataclass

from fastapi import APIRouter, Depends, Request
from fastapi.responses import HTMLResponse, JSONResponse, Response
from sqlmodel import Session

from litwatch.context import Context
from litwatch.errors import ConfigError, EutilsError, QueryError, StoreError
from litwatch.eutils.query_blocks import broader_query
from litwatch.jobs.recall_audit import AuditReport, audit_search, audit_window
from litwatch.store.searches import find_search
from litwatch.web.auth import require_reader
from litwatch.web.manage_data import FormError, checked_date
from litwatch.web.responses import api_error, context_of, error_page, render

log = logging.getLogger(__name__)
router = APIRouter(dependencies=[Depends(require_reader)])


@dataclass
class AuditAnswer:
    """What the page shows: the form's dates, the broader query, the report or why not."""

    name: str
    query: str
    since: str
    until: str
    broader: str = ""
    report: AuditReport | None = None
    status: int = 200
    error: str = ""


def answer_audit(
    ctx: Context, name: str, since: str | None, until: str | None, *, run: bool
) -> AuditAnswer | None:
    """The audit of ``name`` from query-string dates (None: no such search); every failure a
    person can meet becomes a status and a message."""
    with Session(ctx.engine) as session:
        search = find_search(session, name)
        if search is None:
            return None
        start, end = audit_window(search, ctx.now().date())
        query = search.query
    answer = AuditAnswer(name, query, since or start.isoformat(), until or end.isoformat())
    kb = ctx.knowledge_base
    try:
        answer.broader = broader_query(query, kb.topic.intervention, kb.topic.condition).query
    except QueryError as exc:
        answer.status, answer.error = (422 if run else 200), str(exc)
        return answer
    if not run:
        return answer
    try:
        first = checked_date(since, "since")
        last = checked_date(until, "until")
        answer.report = audit_search(ctx, name, since=first, until=last)
    except FormError as exc:
        answer.status, answer.error = 422, str(exc)
    except QueryError as exc:
        answer.status, answer.error = 422, f"The audit cannot run: {exc}"
    except EutilsError as exc:
        log.warning("recall audit of %s failed: %s", name, exc)
        answer.status, answer.error = 502, f"PubMed could not be reached: {exc}"
    except StoreError as exc:
        answer.status, answer.error = 422, str(exc)
    except ConfigError as exc:
        answer.status, answer.error = 503, str(exc)
    return answer


@router.get("/searches/{name}/audit", response_class=HTMLResponse)
def audit_page(
    request: Request, name: str, since: str | None = None, until: str | None = None, run: str = ""
) -> HTMLResponse:
    """The recall audit of one saved search: the form, and the report once it has run."""
    answer = answer_audit(context_of(request), name, since, until, run=bool(run))
    if answer is None:
        return error_page(
            request, 404, "Saved search not found", f"There is no saved search {name!r}."
        )
    return render(request, "search_audit.html", answer.status, a=answer, r=answer.report)


@router.get("/api/searches/{name}/audit")
def api_audit(
    request: Request, name: str, since: str | None = None, until: str | None = None
) -> Response:
    """The recall audit of one saved search, as JSON (see `litwatch audit --format json`)."""
    answer = answer_audit(context_of(request), name, since, until, run=True)
    if answer is None:
        return api_error(404, f"there is no saved search {name!r}")
    if answer.report is None:
        return api_error(answer.status, answer.error)
    return JSONResponse(answer.report.to_dict())
