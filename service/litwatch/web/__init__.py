"""The web app: on-demand search, article and evidence pages, digest links, a JSON API.

``create_app(ctx)`` builds it from a context; nothing is built at import. Pages are rendered
server-side with the context's one Jinja environment (``ctx.templates``), from ``templates/web/``.
``pages`` (HTML), ``api`` (JSON), ``links`` (the digest's feedback and unsubscribe links),
``page_data`` (what both show, read through the store), ``responses`` (errors, rendering),
``live_searches`` and ``live_jobs`` (a live search run in the background, its progress
followed by the search page), ``metrics`` (``/metrics``), ``health`` (the rule ``/healthz``
applies) and ``banner`` (the notice every page shows while the service cannot poll);
``auth`` (who may change things: login, session, CSRF), ``login`` (its pages),
``searches_pages`` and ``subscribers_pages`` (the management pages), ``manage_data`` (what
they show), ``audit_page`` (a saved search's recall audit, page and JSON); ``downloads``
(``/export/FORMAT``, a page's list as a file) and ``export_data`` (which articles it holds),
``feeds`` (a saved search's Atom feed and its token), ``collections_pages`` (import a file,
list collections); ``dashboard_page``, ``dashboard_params`` and ``dashboard_data`` (what is
new since the last visit or digest).

May import: ``litwatch.context``, jobs (a live search, the recall audit), the stages below
(digests, judging, store), ``records``, ``errors``; never cli.
"""

from __future__ import annotations

import logging
from collections.abc import Awaitable, Callable
from urllib.parse import urlencode, urlsplit

from fastapi import FastAPI, Request
from fastapi.exceptions import RequestValidationError
from fastapi.responses import RedirectResponse, Response
from starlette.exceptions import HTTPException
from starlette.middleware.sessions import SessionMiddleware

from litwatch.context import Context
from litwatch.digests.rendering import DESIGN_LABELS
from litwatch.web import (
    api,
    audit_page,
    collections_pages,
    dashboard_page,
    downloads,
    feeds,
    links,
    live_searches,
    login,
    metrics,
    pages,
    searches_pages,
    subscribers_pages,
)
from litwatch.web.auth import NO_SECRET, CsrfRefused, LoginRequired, has_secret, session_key
from litwatch.web.banner import install_banner
from litwatch.web.live_jobs import LiveJobs
from litwatch.web.responses import api_error, error_page, is_api

log = logging.getLogger(__name__)

__all__ = ["create_app"]


def create_app(ctx: Context) -> FastAPI:
    """The FastAPI app serving ``ctx``'s store; the caller runs it (uvicorn) and closes ctx."""
    app = FastAPI(
        title="litwatch",
        summary="PubMed watch: search, classified articles, living evidence tables",
        # The interactive docs pull scripts from a CDN; the schema alone stays available.
        docs_url=None,
        redoc_url=None,
        openapi_url="/api/openapi.json",
    )
    # The context's one environment, shared with the emails; the pages also name designs.
    env = ctx.templates
    env.globals["design_labels"] = DESIGN_LABELS
    install_banner(env, ctx.settings)
    app.state.ctx = ctx
    app.state.env = env
    app.state.live_jobs = LiveJobs(ctx)
    pages_first = (dashboard_page, pages, login, searches_pages, audit_page, subscribers_pages)
    others = (collections_pages, downloads, feeds, links, api, live_searches, metrics)
    for module in (*pages_first, *others):
        app.include_router(module.router)
    s = ctx.settings
    app.add_middleware(
        SessionMiddleware,
        secret_key=session_key(ctx.secret_key),
        session_cookie="litwatch_session",
        max_age=int(s.web_session_hours * 3600),
        same_site="lax",
        https_only=s.base_url.startswith("https://"),
    )
    app.middleware("http")(_safety_headers)
    if not has_secret(s):
        log.warning("web: %s", NO_SECRET)
    app.add_exception_handler(LoginRequired, _login_required)
    app.add_exception_handler(CsrfRefused, _csrf_refused)
    app.add_exception_handler(HTTPException, _http_error)
    app.add_exception_handler(RequestValidationError, _validation_error)
    app.add_exception_handler(Exception, _server_error)
    return app


async def _http_error(request: Request, exc: Exception) -> Response:
    assert isinstance(exc, HTTPException)
    message = str(exc.detail)
    if is_api(request):
        return api_error(exc.status_code, message)
    titles = {404: "Page not found", 405: "Method not allowed"}
    title = titles.get(exc.status_code, f"Error {exc.status_code}")
    return error_page(request, exc.status_code, title, message)


SAFETY_HEADERS = {
    # No other site may frame a page (a framed form could be clicked on unawares); the
    # digest preview frames its own site's page.
    "X-Frame-Options": "SAMEORIGIN",
    "X-Content-Type-Options": "nosniff",
    "Referrer-Policy": "same-origin",
}


async def _safety_headers(
    request: Request, call_next: Callable[[Request], Awaitable[Response]]
) -> Response:
    response = await call_next(request)
    for name, value in SAFETY_HEADERS.items():
        response.headers.setdefault(name, value)
    return response


async def _login_required(request: Request, exc: Exception) -> Response:
    if is_api(request):
        response = api_error(
            401, "log in first: send 'Authorization: Bearer TOKEN' (LITWATCH_WEB_TOKEN)"
        )
        response.headers["WWW-Authenticate"] = "Bearer"
        return response
    back = request.url.path + (f"?{request.url.query}" if request.url.query else "")
    if request.method != "GET":  # the form's page, not the POST target, is where to return
        back = urlsplit(request.headers.get("referer", "")).path or "/"
    return RedirectResponse("/login?" + urlencode({"next": back}), status_code=303)


async def _csrf_refused(request: Request, exc: Exception) -> Response:
    message = (
        "This change came without this session's security token (CSRF), so it was refused. "
        "Reload the page and try again."
    )
    if is_api(request):
        return api_error(403, "missing or wrong CSRF token: send the X-CSRF-Token header")
    return error_page(request, 403, "Change refused", message)


async def _validation_error(request: Request, exc: Exception) -> Response:
    message = "the request is not valid"
    if isinstance(exc, RequestValidationError) and exc.errors():
        first = exc.errors()[0]
        message = f"{'.'.join(str(p) for p in first.get('loc', ()))}: {first.get('msg', '')}"
    if is_api(request):
        return api_error(422, message)
    return error_page(request, 422, "Bad request", message)


async def _server_error(request: Request, exc: Exception) -> Response:
    log.exception("error serving %s %s", request.method, request.url.path, exc_info=exc)
    message = "Something went wrong on our side; the error is logged."
    if is_api(request):
        return api_error(500, message)
    return error_page(request, 500, "Server error", message)
