"""``GET /export/FORMAT``: the list a page shows, as a file (CSV, RIS, BibTeX, MEDLINE, JSON
lines), chosen by the same query parameters as the page (``export_data``)."""

from __future__ import annotations

import io

from fastapi import APIRouter, Depends, Request
from fastapi.responses import Response
from sqlmodel import Session

from litwatch.export.formats import write_export
from litwatch.web.auth import require_reader
from litwatch.web.export_data import (
    FILE_TYPES,
    ExportParams,
    NotFound,
    iter_selected,
    select_articles,
    wanted_relevances,
)
from litwatch.web.page_data import InputError
from litwatch.web.pages import finished_answer
from litwatch.web.responses import context_of, error_page

router = APIRouter(dependencies=[Depends(require_reader)])


@router.get("/export/{fmt}")
def export_file(
    request: Request,
    fmt: str,
    search: str | None = None,
    collection: str | None = None,
    finding: str | None = None,
    design: str | None = None,
    stance: str | None = None,
    q: str | None = None,
    local: str | None = None,
    since: str | None = None,
    limit: str | None = None,
    job: str | None = None,
    relevance: str | None = None,
    dashboard: str | None = None,
    since_at: str | None = None,
) -> Response:
    """The page's list in ``fmt`` (csv, ris, bibtex, medline, jsonl), as an attachment.
    ``job`` names the page's finished live search: its results are exported without asking
    PubMed again (unknown or expired: the search runs again, as the page would)."""
    if fmt not in FILE_TYPES:
        message = f"Unknown format {fmt!r}: use one of {', '.join(FILE_TYPES)}."
        return error_page(request, 404, "No such format", message)
    ctx = context_of(request)
    params = ExportParams(
        search=search or "",
        collection=collection or "",
        finding=finding or "",
        design=design or "",
        stance=stance or "",
        q=q or "",
        local=local or "",
        since=since or "",
        limit=limit or "",
        relevance=relevance or "",
        dashboard=dashboard or "",
        since_at=since_at or "",
    )
    try:
        relevances = wanted_relevances(params.relevance)
        finished = finished_answer(request, job, q) if job and not local else None
        selection = select_articles(ctx, params, finished)
    except InputError as exc:
        return error_page(request, 422, "Bad export request", str(exc))
    except NotFound as exc:
        return error_page(request, 404, "Nothing to export", str(exc))
    out = io.StringIO(newline="")
    with Session(ctx.engine) as session:
        count = write_export(iter_selected(session, selection, relevances), fmt, out)
    extension, content_type = FILE_TYPES[fmt]
    filename = f"litwatch-{selection.label}.{extension}"
    return Response(
        out.getvalue().encode("utf-8"),
        media_type=content_type,
        headers={
            "Content-Disposition": f'attachment; filename="{filename}"',
            "X-Litwatch-Articles": str(count),
        },
    )
