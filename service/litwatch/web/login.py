"""The login page, logging in (slowed down after repeated failures) and logging out."""

from __future__ import annotations

import logging
import math
from typing import Annotated, Any

from fastapi import APIRouter, Depends, Request
from fastapi.responses import HTMLResponse, RedirectResponse, Response
from sqlmodel import Session

from litwatch.store.login_failures import clear_login_failures, login_wait, note_login_failure
from litwatch.web.auth import (
    NO_SECRET,
    csrf_ok,
    has_secret,
    require_editor,
    secret_matches,
    session_of,
    start_session,
)
from litwatch.web.forms import read_fields
from litwatch.web.responses import context_of, flash, render

log = logging.getLogger(__name__)
router = APIRouter()


def safe_next(target: Any) -> str:
    """Where to go after logging in: a path on this site only (never another site's URL)."""
    text = str(target or "")
    if not text.startswith("/") or text.startswith("//") or "\\" in text:
        return "/"
    return text


def client_of(request: Request) -> str:
    """The client's address (behind a proxy: what uvicorn's proxy headers say it is)."""
    return request.client.host if request.client else "unknown"


def _login_page(request: Request, status: int, *, next_path: str, error: str = "") -> Response:
    ctx = context_of(request)
    response = render(
        request,
        "login.html",
        status,
        next_path=next_path,
        error=error,
        no_secret="" if has_secret(ctx.settings) else NO_SECRET,
    )
    return response


@router.get("/login", response_class=HTMLResponse)
def login_page(request: Request, next: str | None = None) -> Response:
    """The login form (or, with no secret set, what to set)."""
    return _login_page(request, 200, next_path=safe_next(next))


def _waiting(seconds: float) -> str:
    wait = max(1, math.ceil(seconds))
    return (
        f"Too many failed logins from your address: wait {wait} second"
        f"{'' if wait == 1 else 's'} before trying again."
    )


@router.post("/login", response_class=HTMLResponse)
async def login(
    request: Request, fields: Annotated[dict[str, Any], Depends(read_fields)]
) -> Response:
    """Check the secret; a wrong one makes this address wait longer each time."""
    ctx = context_of(request)
    next_path = safe_next(fields.get("next"))
    if not await csrf_ok(request):
        return _login_page(
            request,
            403,
            next_path=next_path,
            error="The form had expired or came from elsewhere; please log in again.",
        )
    if not has_secret(ctx.settings):
        return _login_page(request, 503, next_path=next_path, error=NO_SECRET)
    client = client_of(request)
    with Session(ctx.engine) as session:
        wait = login_wait(session, client, now=ctx.now())
        if wait.total_seconds() > 0:
            page = _login_page(
                request, 429, next_path=next_path, error=_waiting(wait.total_seconds())
            )
            page.headers["Retry-After"] = str(max(1, math.ceil(wait.total_seconds())))
            return page
        if not secret_matches(ctx.settings, str(fields.get("password") or "")):
            wait = note_login_failure(session, client, now=ctx.now())
            session.commit()
            log.warning("failed web login from %s", client)
            error = "That is not the password or the token."
            if wait.total_seconds() > 0:
                error += " " + _waiting(wait.total_seconds())
            return _login_page(request, 401, next_path=next_path, error=error)
        clear_login_failures(session, client)
        session.commit()
    start_session(request)
    flash(request, "ok", "You are logged in.")
    return RedirectResponse(next_path, status_code=303)


@router.post("/logout", dependencies=[Depends(require_editor)])
def logout(request: Request) -> Response:
    """End the session (the cookie is emptied)."""
    session_of(request).clear()
    return RedirectResponse("/login", status_code=303)
