"""The collections pages: list them, import a file as one (upload form), one collection's
articles with their downloads."""

from __future__ import annotations

import logging
from typing import Annotated, Any

from fastapi import APIRouter, Depends, Request
from fastapi.responses import HTMLResponse, RedirectResponse, Response
from sqlmodel import Session

from litwatch.errors import EutilsError, ImportFileError
from litwatch.jobs.import_collection import import_file
from litwatch.store.collections import collection_pmids, find_collection, list_collections
from litwatch.web.auth import require_editor, require_reader
from litwatch.web.export_data import download_links
from litwatch.web.forms import read_fields, read_upload
from litwatch.web.page_data import result_rows
from litwatch.web.responses import context_of, error_page, flash, render

log = logging.getLogger(__name__)
router = APIRouter(dependencies=[Depends(require_reader)])
Fields = Annotated[dict[str, Any], Depends(read_fields)]
SHOWN_PROBLEMS = 10  # kept in the session cookie for the next page: a few, cut short


def _list_page(
    request: Request, status: int = 200, *, form: dict[str, Any] | None = None, error: str = ""
) -> HTMLResponse:
    with Session(context_of(request).engine) as session:
        collections = list_collections(session)
    return render(
        request, "collections.html", status, collections=collections, form=form or {}, error=error
    )


@router.get("/collections", response_class=HTMLResponse)
def collections_page(request: Request) -> HTMLResponse:
    """Every collection with its article count, and the form to import a file."""
    return _list_page(request)


@router.post("/collections", response_class=HTMLResponse, dependencies=[Depends(require_editor)])
async def import_form(request: Request, fields: Fields) -> Response:
    """Import the uploaded file into the named collection, as `litwatch import` does."""
    upload = await read_upload(request, "file")
    if upload is None or not upload[1]:
        return _list_page(request, 422, form=fields, error="file: choose a file to import")
    filename, data = upload
    ctx = context_of(request)
    try:
        summary = import_file(ctx, str(fields.get("name") or ""), data)
    except ImportFileError as exc:
        return _list_page(request, 422, form=fields, error=f"{filename or 'file'}: {exc}")
    except EutilsError as exc:
        log.warning("import of %s from the web could not reach PubMed: %s", filename, exc)
        return _list_page(request, 502, form=fields, error=f"PubMed could not be reached: {exc}")
    flash(request, "ok", f"Imported {filename}: {summary.line()}")
    session = request.scope.get("session")
    if session is not None and summary.problems:
        shown = [p[:200] for p in summary.problems[:SHOWN_PROBLEMS]]
        if len(summary.problems) > SHOWN_PROBLEMS:
            shown.append(f"... and {len(summary.problems) - SHOWN_PROBLEMS} more")
        session["import_problems"] = shown
    return RedirectResponse(f"/collections/{summary.collection}", status_code=303)


@router.get("/collections/{name}", response_class=HTMLResponse)
def collection_page(request: Request, name: str) -> HTMLResponse:
    """One collection's articles, ranked as search results are, with the download links."""
    with Session(context_of(request).engine) as session:
        if find_collection(session, name) is None:
            return error_page(
                request, 404, "Collection not found", f"There is no collection {name!r}."
            )
        rows = result_rows(session, collection_pmids(session, name))
    session_data = request.scope.get("session")
    problems = session_data.pop("import_problems", []) if session_data is not None else []
    return render(
        request,
        "collection.html",
        collection=name,
        rows=rows,
        problems=[str(p) for p in problems] if isinstance(problems, list) else [],
        downloads=download_links(collection=name),
    )
