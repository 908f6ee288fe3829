"""What every route needs: the context, the template environment, forms and error pages."""

from __future__ import annotations

from typing import Any

import jinja2
from fastapi import Request
from fastapi.responses import HTMLResponse, JSONResponse

from litwatch.context import Context
from litwatch.web import auth


def context_of(request: Request) -> Context:
    ctx: Context = request.app.state.ctx
    return ctx


def environment_of(request: Request) -> jinja2.Environment:
    env: jinja2.Environment = request.app.state.env
    return env


def render(request: Request, name: str, status_code: int = 200, **values: Any) -> HTMLResponse:
    """A page from ``templates/web/``; ``request``, ``tz``, who is logged in, ``csrf_token()``
    (for forms) and the flash note of the last change are always there."""
    ctx = context_of(request)
    page = environment_of(request).get_template(f"web/{name}")
    html = page.render(
        request=request,
        tz=ctx.settings.timezone,
        user=auth.logged_in(request),
        csrf_token=lambda: auth.csrf_token(request),
        flash=pop_flash(request),
        **values,
    )
    return HTMLResponse(html, status_code=status_code)


def flash(request: Request, kind: str, message: str) -> None:
    """A note the next page shows once ("ok" or "error"), kept in the session."""
    session = request.scope.get("session")
    if session is not None:
        session["flash"] = [kind, message]


def pop_flash(request: Request) -> tuple[str, str] | None:
    session = request.scope.get("session")
    note = session.pop("flash", None) if session is not None else None
    return (str(note[0]), str(note[1])) if isinstance(note, list) and len(note) == 2 else None


def error_page(request: Request, status_code: int, title: str, message: str) -> HTMLResponse:
    return render(request, "error.html", status_code, title=title, message=message)


def is_api(request: Request) -> bool:
    return request.url.path.startswith("/api/") or request.url.path == "/healthz"


def api_error(status_code: int, message: str) -> JSONResponse:
    return JSONResponse({"error": message}, status_code=status_code)


def wants_html(request: Request) -> bool:
    """A browser's form post (answered with a page) rather than a program (answered in JSON)."""
    kind = request.headers.get("content-type", "")
    return kind.startswith("application/x-www-form-urlencoded") and "text/html" in (
        request.headers.get("accept", "")
    )
