"""The live search's progress over HTTP: start one, follow it, then show its page.

``POST /api/live-searches?q=...`` starts a search in the background (``live_jobs``) and
answers 202 with where to follow it; ``GET /api/live-searches/ID`` says its stage, how many
records are fetched of how many, and once finished its outcome and the page that shows it.
"""

from __future__ import annotations

from urllib.parse import urlencode

from fastapi import APIRouter, Depends, Request
from fastapi.responses import JSONResponse, Response

from litwatch.web.auth import require_reader
from litwatch.web.live_jobs import LiveJob, LiveJobs
from litwatch.web.page_data import InputError, parse_params
from litwatch.web.responses import api_error

router = APIRouter(dependencies=[Depends(require_reader)])


def jobs_of(request: Request) -> LiveJobs:
    return request.app.state.live_jobs  # type: ignore[no-any-return]


def page_of(job: LiveJob) -> str:
    """The search page that shows this job's results."""
    p = job.params
    query = {"q": p.query, "limit": str(p.limit), "job": job.id}
    if p.since:
        query["since"] = p.since.isoformat()
    return "/?" + urlencode(query)


@router.post(
    "/api/live-searches",
    status_code=202,
    responses={422: {"description": "a bad parameter"}, 429: {"description": "too many"}},
)
def start_live_search(
    request: Request, q: str | None = None, since: str | None = None, limit: str | None = None
) -> Response:
    """Start a live PubMed search; follow it at the URL the answer gives."""
    if not (q or "").strip():
        return api_error(422, "give a query: ?q=...")
    try:
        params = parse_params(q, None, since, limit)
    except InputError as exc:
        return api_error(422, str(exc))
    job = jobs_of(request).start(params)
    if job is None:
        response = api_error(429, "too many live searches are running; try again in a moment")
        response.headers["Retry-After"] = "5"
        return response
    status = f"/api/live-searches/{job.id}"
    return JSONResponse(
        {"id": job.id, "status_url": status, "page": page_of(job)},
        status_code=202,
        headers={"Location": status},
    )


@router.get("/api/live-searches/{job_id}", responses={404: {"description": "unknown"}})
def live_search_state(request: Request, job_id: str) -> Response:
    """How far a live search has got; once finished, its outcome and the page showing it."""
    job = jobs_of(request).get(job_id)
    if job is None:
        return api_error(404, "no such live search (finished searches are kept ten minutes)")
    return JSONResponse({**job.state(), "page": page_of(job)})


@router.get("/assets/live-search.js", include_in_schema=False)
def live_search_script(request: Request) -> Response:
    """The search page's script that starts a live search and shows its progress."""
    script = request.app.state.env.get_template("web/live_search.js").render()
    return Response(
        script,
        media_type="text/javascript",
        headers={"Cache-Control": "max-age=300"},
    )
