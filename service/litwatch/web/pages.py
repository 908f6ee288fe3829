"""The HTML pages: on-demand search, one article, a finding's living evidence table."""

from __future__ import annotations

from fastapi import APIRouter, Depends, Request
from fastapi.responses import HTMLResponse

from litwatch.web.auth import require_reader
from litwatch.web.export_data import download_links
from litwatch.web.finding_page import finding_view, parse_filter, parse_page
from litwatch.web.page_data import (
    MAX_LIMIT,
    InputError,
    add_details,
    load_article,
    load_evidence,
)
from litwatch.web.responses import context_of, environment_of, error_page, render
from litwatch.web.search_answer import SearchAnswer, answer_search

router = APIRouter(dependencies=[Depends(require_reader)])

FEEDBACK_NOTES = {
    "relevant": "Thank you: your label “relevant” is recorded.",
    "not-relevant": "Thank you: your label “not relevant” is recorded.",
}


@router.get("/", response_class=HTMLResponse)
def search_page(
    request: Request,
    q: str | None = None,
    local: str | None = None,
    since: str | None = None,
    limit: str | None = None,
    job: str | None = None,
) -> HTMLResponse:
    """The search form, and the ranked results when a query is given. ``job`` names a live
    search already run in the background (``live_jobs``): its results are shown, not asked
    for again; a job unknown or expired runs the search afresh."""
    ctx = context_of(request)
    answer = finished_answer(request, job, q) if job and not local else None
    if answer is None:
        answer = answer_search(ctx, q, local, since, limit)
    return render(
        request,
        "search.html",
        answer.status,
        outcome=answer.outcome,
        error=answer.error,
        unreachable=answer.status == 502,
        since_text=since or "",
        findings=ctx.knowledge_base.findings,
        max_limit=MAX_LIMIT,
        downloads=download_links(q=q, local=local, since=since, limit=limit, job=job),
    )


def finished_answer(request: Request, job_id: str, q: str | None) -> SearchAnswer | None:
    """The answer of the finished live search ``job_id`` for this query, if it is kept."""
    job = request.app.state.live_jobs.get(job_id)
    if job is None or job.answer is None or job.params.query != (q or "").strip():
        return None
    return job.answer  # type: ignore[no-any-return]


@router.get("/article/{pmid}", response_class=HTMLResponse)
def article_page(request: Request, pmid: str, feedback: str | None = None) -> HTMLResponse:
    """Everything known about one stored article, with its classification and evidence."""
    ctx = context_of(request)
    view = load_article(ctx, pmid)
    if view is None:
        return error_page(request, 404, "Article not found", f"PMID {pmid} is not in the store.")
    kb = ctx.knowledge_base
    statements = {f.id: f.statement for f in kb.findings}
    return render(
        request,
        "article.html",
        view=view,
        a=view.article,
        c=view.classification,
        statements=statements,
        note=FEEDBACK_NOTES.get(feedback or "", ""),
    )


@router.get("/evidence/{finding_id}", response_class=HTMLResponse)
def evidence_page(
    request: Request,
    finding_id: str,
    design: str | None = None,
    stance: str | None = None,
    page: str | None = None,
) -> HTMLResponse:
    """A known finding's page: its counts, the plot over the years, the living evidence table
    (filtered by ``design`` and ``stance`` when given), a page of it at a time."""
    try:
        wanted = parse_filter(design, stance)
        page_number = parse_page(page)
    except InputError as exc:
        return error_page(request, 422, "Bad filter", str(exc))
    ctx = context_of(request)
    found = load_evidence(ctx, finding_id, details=False)
    if found is None:
        return error_page(
            request, 404, "Finding not found", f"There is no known finding {finding_id!r}."
        )
    finding, table = found
    try:
        view = finding_view(environment_of(request), table, wanted, page_number)
    except InputError as exc:
        return error_page(request, 422, "No such page", str(exc))
    view.shown = add_details(ctx, finding_id, view.shown)
    return render(
        request,
        "evidence.html",
        finding=finding,
        table=table,
        rows=table.rows,
        view=view,
        wanted=wanted,
        downloads=download_links(finding=finding.id, design=wanted.design, stance=wanted.stance),
    )
