"""The saved-search pages: list and add, one search (edit, enable or disable, run now), runs.

Every change is a form post that needs the login and the CSRF token, and answers with a
redirect to the page that shows the result (a bad field re-shows the form, 422).
"""

from __future__ import annotations

import logging
from typing import Annotated, Any

from fastapi import APIRouter, Depends, Request
from fastapi.responses import HTMLResponse, RedirectResponse, Response
from sqlmodel import Session

from litwatch.errors import LitwatchError, StoreError
from litwatch.jobs.poll import poll_search
from litwatch.store.searches import (
    add_search,
    find_search,
    set_search_enabled,
    set_search_query,
    set_search_schedule,
)
from litwatch.web.auth import require_editor, require_reader
from litwatch.web.export_data import download_links
from litwatch.web.feeds import feed_path
from litwatch.web.forms import read_fields, to_bool
from litwatch.web.manage_data import (
    FormError,
    checked_date,
    checked_name,
    checked_query,
    checked_schedule,
    run_counts,
    runs_view,
    search_row,
    search_rows,
)
from litwatch.web.responses import context_of, error_page, flash, render

log = logging.getLogger(__name__)
router = APIRouter(dependencies=[Depends(require_reader)])
Fields = Annotated[dict[str, Any], Depends(read_fields)]
EDIT = [Depends(require_editor)]


def _list_page(
    request: Request, status: int = 200, *, form: dict[str, Any] | None = None, error: str = ""
) -> HTMLResponse:
    ctx = context_of(request)
    return render(
        request,
        "searches.html",
        status,
        rows=search_rows(ctx),
        form=form or {},
        error=error,
        default_schedule=ctx.settings.default_schedule,
        run_counts=run_counts,
    )


@router.get("/searches", response_class=HTMLResponse)
def searches_page(request: Request) -> HTMLResponse:
    """Every saved search, its last run, and the form to add one."""
    return _list_page(request)


@router.post("/searches", response_class=HTMLResponse, dependencies=EDIT)
def add_search_form(request: Request, fields: Fields) -> Response:
    """Add a saved search; its name, query and schedule are checked first."""
    ctx = context_of(request)
    try:
        name = checked_name(fields.get("name"))
        query = checked_query(fields.get("query"))
        schedule = checked_schedule(fields.get("schedule"), ctx.settings.timezone)
        since = checked_date(fields.get("since"), "since")
    except FormError as exc:
        return _list_page(request, 422, form=fields, error=str(exc))
    with Session(ctx.engine) as session:
        if find_search(session, name) is not None:
            error = f"name: a saved search named {name!r} already exists"
            return _list_page(request, 409, form=fields, error=error)
        add_search(session, name, query, now=ctx.now(), schedule=schedule, backfill_start=since)
        session.commit()
    flash(request, "ok", f"Added the saved search {name}. Its first poll backfills.")
    return RedirectResponse(f"/searches/{name}", status_code=303)


def _search_page(
    request: Request,
    name: str,
    status: int = 200,
    *,
    form: dict[str, Any] | None = None,
    error: str = "",
) -> HTMLResponse:
    ctx = context_of(request)
    row = search_row(ctx, name)
    if row is None:
        return error_page(
            request, 404, "Saved search not found", f"There is no saved search {name!r}."
        )
    return render(
        request,
        "search_detail.html",
        status,
        row=row,
        s=row.search,
        form=form or {},
        error=error,
        default_schedule=ctx.settings.default_schedule,
        run_counts=run_counts,
        downloads=download_links(search=name),
        feed_url=ctx.settings.base_url.rstrip("/") + feed_path(ctx, name),
    )


@router.get("/searches/{name}", response_class=HTMLResponse)
def search_page(request: Request, name: str) -> HTMLResponse:
    """One saved search: its query and schedule (editable), its last runs, run now."""
    return _search_page(request, name)


@router.post("/searches/{name}", response_class=HTMLResponse, dependencies=EDIT)
def edit_search_form(request: Request, name: str, fields: Fields) -> Response:
    """Change a search's query and schedule (the old query stays in its history)."""
    ctx = context_of(request)
    try:
        query = checked_query(fields.get("query"))
        schedule = checked_schedule(fields.get("schedule"), ctx.settings.timezone)
    except FormError as exc:
        return _search_page(request, name, 422, form=fields, error=str(exc))
    with Session(ctx.engine) as session:
        search = find_search(session, name)
        if search is None:
            return _search_page(request, name)
        set_search_query(session, search, query, now=ctx.now())
        set_search_schedule(session, search, schedule)
        session.commit()
    flash(request, "ok", f"Saved the changes to {name}.")
    return RedirectResponse(f"/searches/{name}", status_code=303)


@router.post("/searches/{name}/enabled", response_class=HTMLResponse, dependencies=EDIT)
def enable_search_form(request: Request, name: str, fields: Fields) -> Response:
    """Turn polling of a search on (enabled=true) or off (enabled=false)."""
    ctx = context_of(request)
    enabled = to_bool(fields.get("enabled"))
    if enabled is None:
        return _search_page(request, name, 422, error="enabled: say true or false")
    with Session(ctx.engine) as session:
        search = find_search(session, name)
        if search is None:
            return _search_page(request, name)
        set_search_enabled(session, search, enabled)
        session.commit()
    flash(request, "ok", f"{name} is {'enabled' if enabled else 'disabled: it is not polled'}.")
    return RedirectResponse(f"/searches/{name}", status_code=303)


@router.post("/searches/{name}/run", response_class=HTMLResponse, dependencies=EDIT)
def run_search_form(request: Request, name: str) -> Response:
    """Poll the search now, as `litwatch poll --search NAME` does; the page shows the run."""
    ctx = context_of(request)
    if search_row(ctx, name, runs=0) is None:
        return _search_page(request, name)
    try:
        summary = poll_search(ctx, name)
    except (LitwatchError, StoreError) as exc:
        log.warning("poll of %s from the web failed: %s", name, exc)
        flash(request, "error", f"The poll of {name} could not run: {exc}")
    else:
        kind = "ok" if summary.status == "ok" else "error"
        line = summary.line() + (f" ({summary.error})" if summary.error else "")
        flash(request, kind, f"Polled now: {line}")
    return RedirectResponse(f"/searches/{name}#runs", status_code=303)


@router.get("/runs", response_class=HTMLResponse)
def runs_page(request: Request) -> HTMLResponse:
    """The history of polls and digest runs, digests not delivered, records in quarantine."""
    return render(request, "runs.html", view=runs_view(context_of(request)))
