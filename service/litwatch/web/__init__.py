"""The web app: on-demand search, article and evidence pages, digest links, a JSON API.

``create_app(ctx)`` builds it from a context; nothing is built at import. Pages are rendered
server-side with the context's one Jinja environment (``ctx.templates``), from ``templates/web/``.
``pages`` (HTML), ``api`` (JSON), ``links`` (the digest's feedback and unsubscribe links),
``page_data`` (what both show, read through the store), ``responses`` (errors, rendering),
``metrics`` (``/metrics``), ``health`` (the rule ``/healthz`` applies) and ``banner`` (the
notice every page shows while the service cannot poll).

May import: ``litwatch.context``, jobs (a live search), the stages below (digests, judging,
store), ``records``, ``errors``; never cli.
"""

from __future__ import annotations

import logging

from fastapi import FastAPI, Request
from fastapi.exceptions import RequestValidationError
from fastapi.responses import Response
from starlette.exceptions import HTTPException

from litwatch.context import Context
from litwatch.digests.rendering import DESIGN_LABELS
from litwatch.web import api, links, metrics, pages
from litwatch.web.banner import install_banner
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
    app.include_router(pages.router)
    app.include_router(links.router)
    app.include_router(api.router)
    app.include_router(metrics.router)
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


async def _validation_error(request: Request, exc: Exception) -> Response:
    message = "the request is not valid"
    if isinstance(exc, RequestValidationError) and exc.errors():
        first = exc.errors()[0]
        message = f"{'.'.join(str(p) for p in first.get('loc', ()))}: {first.get('msg', '')}"
    if is_api(request):
        return api_error(400, message)
    return error_page(request, 400, "Bad request", message)


async def _server_error(request: Request, exc: Exception) -> Response:
    log.exception("error serving %s %s", request.method, request.url.path, exc_info=exc)
    message = "Something went wrong on our side; the error is logged."
    if is_api(request):
        return api_error(500, message)
    return error_page(request, 500, "Server error", message)
