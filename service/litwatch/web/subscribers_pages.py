"""The subscriber pages: list, add, remove, and a preview of someone's next digest.

The preview is the digest the digests package would build and render now (nothing is
recorded or sent), shown in a sandboxed frame: it is the message's own HTML.
"""

from __future__ import annotations

from typing import Annotated, Any

from fastapi import APIRouter, Depends, Path, Request
from fastapi.responses import HTMLResponse, RedirectResponse, Response
from sqlmodel import Session

from litwatch.digests.subscribers import FREQUENCIES, RELEVANCES, add_subscriber, unsubscribe
from litwatch.errors import ConfigError, StoreError
from litwatch.jobs.digest_run import preview
from litwatch.store.searches import list_searches
from litwatch.store.subscribers import get_subscriber_by_id, list_subscribers
from litwatch.store.tables import Subscriber
from litwatch.web.auth import require_editor, require_reader
from litwatch.web.forms import read_form_lists
from litwatch.web.manage_data import FormError, checked_choice, many
from litwatch.web.responses import context_of, error_page, flash, render

router = APIRouter(dependencies=[Depends(require_reader)])
FormLists = Annotated[dict[str, list[str]], Depends(read_form_lists)]
EDIT = [Depends(require_editor)]
# A database integer: a larger id is a bad parameter (422), not a database error.
SubscriberId = Annotated[int, Path(ge=1, le=2**63 - 1)]


def _one(fields: dict[str, list[str]], name: str) -> str:
    values = fields.get(name) or [""]
    return values[-1].strip()


def _page(
    request: Request, status: int = 200, *, form: dict[str, Any] | None = None, error: str = ""
) -> HTMLResponse:
    ctx = context_of(request)
    with Session(ctx.engine) as session:
        subscribers = list_subscribers(session)
        searches = [s.name for s in list_searches(session)]
    return render(
        request,
        "subscribers.html",
        status,
        subscribers=subscribers,
        searches=searches,
        findings=ctx.knowledge_base.findings,
        frequencies=FREQUENCIES,
        relevances=RELEVANCES,
        form=form or {},
        error=error,
    )


@router.get("/subscribers", response_class=HTMLResponse)
def subscribers_page(request: Request) -> HTMLResponse:
    """Who gets digests, with their filters, and the form to add someone."""
    return _page(request)


@router.post("/subscribers", response_class=HTMLResponse, dependencies=EDIT)
def add_subscriber_form(request: Request, fields: FormLists) -> Response:
    """Subscribe an address (checked; a duplicate, unknown search or finding is refused)."""
    ctx = context_of(request)
    form: dict[str, Any] = {
        k: _one(fields, k) for k in ("email", "name", "frequency", "min_relevance")
    }
    form["searches"], form["findings"] = many(fields, "searches"), many(fields, "findings")
    try:
        frequency = checked_choice(form["frequency"], "frequency", FREQUENCIES)
        relevance = checked_choice(form["min_relevance"], "min_relevance", RELEVANCES)
        with Session(ctx.engine) as session:
            sub = add_subscriber(
                session,
                form["email"],
                now=ctx.now(),
                name=form["name"],
                searches=form["searches"],
                frequency=frequency,
                min_relevance=relevance,
                findings=form["findings"],
                known_findings={f.id for f in ctx.knowledge_base.findings},
                send_empty=bool(many(fields, "send_empty")),
            )
            session.commit()
            email = sub.email
    except FormError as exc:
        return _page(request, 422, form=form, error=str(exc))
    except (ConfigError, StoreError) as exc:
        return _page(request, 422, form=form, error=str(exc).replace("--", ""))
    flash(request, "ok", f"Subscribed {email}.")
    return RedirectResponse("/subscribers", status_code=303)


def _subscriber(request: Request, subscriber_id: int) -> Subscriber | None:
    with Session(context_of(request).engine) as session:
        return get_subscriber_by_id(session, subscriber_id)


def _missing(request: Request, subscriber_id: int) -> HTMLResponse:
    return error_page(
        request, 404, "Subscriber not found", f"There is no subscriber {subscriber_id}."
    )


@router.post("/subscribers/{subscriber_id}/remove", response_class=HTMLResponse, dependencies=EDIT)
def remove_subscriber_form(request: Request, subscriber_id: SubscriberId) -> Response:
    """Stop the digests of a subscriber (what was sent to them stays on record)."""
    ctx = context_of(request)
    sub = _subscriber(request, subscriber_id)
    if sub is None:
        return _missing(request, subscriber_id)
    with Session(ctx.engine) as session:
        unsubscribe(session, sub.email, now=ctx.now())
        session.commit()
    flash(request, "ok", f"Removed {sub.email}: no more digests go to it.")
    return RedirectResponse("/subscribers", status_code=303)


@router.get("/subscribers/{subscriber_id}/preview", response_class=HTMLResponse)
def preview_page(request: Request, subscriber_id: SubscriberId) -> HTMLResponse:
    """The digest this subscriber would get now: subject, the HTML (framed) and the text."""
    sub = _subscriber(request, subscriber_id)
    if sub is None:
        return _missing(request, subscriber_id)
    msg = preview(context_of(request), sub.email)
    text_part = msg.get_body(preferencelist=("plain",)) if msg is not None else None
    return render(
        request,
        "subscriber_preview.html",
        sub=sub,
        subject=str(msg["Subject"]) if msg is not None else "",
        text=text_part.get_content() if text_part is not None else "",
    )


@router.get("/subscribers/{subscriber_id}/preview.html", response_class=HTMLResponse)
def preview_html(request: Request, subscriber_id: SubscriberId) -> HTMLResponse:
    """The preview's HTML as the mail holds it, sandboxed: it runs nothing, loads nothing."""
    sub = _subscriber(request, subscriber_id)
    if sub is None:
        return _missing(request, subscriber_id)
    msg = preview(context_of(request), sub.email)
    html_part = msg.get_body(preferencelist=("html",)) if msg is not None else None
    html = html_part.get_content() if html_part is not None else "<p>Nothing to send.</p>"
    return HTMLResponse(
        html,
        headers={
            "Content-Security-Policy": "sandbox; default-src 'none'; style-src 'unsafe-inline'",
            "X-Frame-Options": "SAMEORIGIN",
        },
    )
