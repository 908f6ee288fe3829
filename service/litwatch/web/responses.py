"""What every route needs: the context, the template environment, forms and error pages."""

from __future__ import annotations

import json
from typing import Any
from urllib.parse import parse_qs

import jinja2
from fastapi import Request
from fastapi.responses import HTMLResponse, JSONResponse

from litwatch.context import Context

TRUE_WORDS = ("1", "true", "yes", "on", "relevant")
FALSE_WORDS = ("0", "false", "no", "off", "not-relevant")


def context_of(request: Request) -> Context:
    ctx: Context = request.app.state.ctx
    return ctx


def environment_of(request: Request) -> jinja2.Environment:
    env: jinja2.Environment = request.app.state.env
    return env


def render(request: Request, name: str, status_code: int = 200, **values: Any) -> HTMLResponse:
    """A page from ``templates/web/``; ``request`` and ``tz`` are always there."""
    ctx = context_of(request)
    page = environment_of(request).get_template(f"web/{name}")
    html = page.render(request=request, tz=ctx.settings.timezone, **values)
    return HTMLResponse(html, status_code=status_code)


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


async def read_fields(request: Request) -> dict[str, Any]:
    """The fields of a urlencoded form or a JSON object body (empty for anything else)."""
    body = await request.body()
    kind = request.headers.get("content-type", "")
    if kind.startswith("application/json"):
        try:
            data = json.loads(body or b"{}")
        except ValueError:
            return {}
        return data if isinstance(data, dict) else {}
    fields = parse_qs(body.decode("utf-8", "replace"), keep_blank_values=True)
    return {key: values[-1] for key, values in fields.items()}


def to_bool(value: Any) -> bool | None:
    """true/false from JSON or a form field; None when it says neither."""
    if isinstance(value, bool):
        return value
    if isinstance(value, str):
        word = value.strip().lower()
        if word in TRUE_WORDS:
            return True
        if word in FALSE_WORDS:
            return False
    return None
