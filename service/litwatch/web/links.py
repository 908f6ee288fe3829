"""The one-click links in digests: feedback on an article, and unsubscribe (RFC 8058)."""

from __future__ import annotations

from typing import Any

from fastapi import APIRouter, Request
from fastapi.responses import HTMLResponse
from sqlmodel import Session

from litwatch.digests.signed_links import TokenError, TokenExpired, read_token
from litwatch.digests.subscribers import get_subscriber, unsubscribe
from litwatch.errors import ConfigError, StoreError
from litwatch.judging.feedback import add_feedback
from litwatch.web.responses import context_of, error_page, render

router = APIRouter()


def _bad_link(request: Request, exc: TokenError) -> HTMLResponse:
    reason = "has expired" if isinstance(exc, TokenExpired) else "is not valid"
    return error_page(
        request,
        400,
        f"This link {reason}",
        f"{exc}. Links in a digest are signed; one that was altered or is too old no longer "
        "works. A newer digest carries fresh links.",
    )


def _payload(request: Request, purpose: str, token: str) -> dict[str, Any]:
    ctx = context_of(request)
    return read_token(ctx.secret_key, purpose, token, now=ctx.now())


def _feedback_label(request: Request, token: str) -> tuple[str, str, bool] | HTMLResponse:
    """The (pmid, email, relevant) a feedback link carries, or the error page to show."""
    try:
        payload = _payload(request, "feedback", token)
    except TokenError as exc:
        return _bad_link(request, exc)
    pmid, email, relevant = payload.get("pmid"), payload.get("email"), payload.get("relevant")
    if not isinstance(pmid, str) or not isinstance(relevant, bool):
        return error_page(request, 400, "This link is not valid", "The link names no article.")
    return pmid, str(email or ""), relevant


@router.get("/feedback/{token}", response_class=HTMLResponse)
def feedback_form(request: Request, token: str) -> HTMLResponse:
    """The page a digest's feedback link opens: it posts the label at once.

    A reader's browser runs the page's one-line script and the label is recorded with the
    one click; mail scanners and link previewers fetch links without running scripts, so
    they record nothing. Without scripts the page shows the button to press.
    """
    label = _feedback_label(request, token)
    if isinstance(label, HTMLResponse):
        return label
    pmid, _email, relevant = label
    return render(request, "feedback.html", pmid=pmid, relevant=relevant, token=token, done=False)


@router.post("/feedback/{token}", response_class=HTMLResponse)
def feedback_now(request: Request, token: str) -> HTMLResponse:
    """Record the label a reader clicked in a digest, and thank them."""
    label = _feedback_label(request, token)
    if isinstance(label, HTMLResponse):
        return label
    pmid, email, relevant = label
    ctx = context_of(request)
    with Session(ctx.engine) as session:
        try:
            add_feedback(session, pmid, now=ctx.now(), relevant=relevant, source="email", who=email)
        except StoreError:
            return error_page(
                request, 404, "Article not found", f"PMID {pmid} is no longer in the store."
            )
        session.commit()
    return render(request, "feedback.html", pmid=pmid, relevant=relevant, token=token, done=True)


def _unsubscribe_email(request: Request, token: str) -> str | HTMLResponse:
    """The address an unsubscribe link carries, or the error page to show."""
    try:
        payload = _payload(request, "unsubscribe", token)
    except TokenError as exc:
        return _bad_link(request, exc)
    return str(payload.get("email", ""))


@router.get("/unsubscribe/{token}", response_class=HTMLResponse)
def unsubscribe_form(request: Request, token: str) -> HTMLResponse:
    """Ask before unsubscribing: link scanners follow GET links, people press buttons."""
    email = _unsubscribe_email(request, token)
    if isinstance(email, HTMLResponse):
        return email
    with Session(context_of(request).engine) as session:
        try:
            sub = get_subscriber(session, email)
        except ConfigError:
            sub = None
        active = bool(sub and sub.active)
    return render(request, "unsubscribe.html", email=email, token=token, done=False, active=active)


@router.post("/unsubscribe/{token}", response_class=HTMLResponse)
def unsubscribe_now(request: Request, token: str) -> HTMLResponse:
    """Stop the digests; also the RFC 8058 one-click target ("List-Unsubscribe=One-Click")."""
    email = _unsubscribe_email(request, token)
    if isinstance(email, HTMLResponse):
        return email
    ctx = context_of(request)
    with Session(ctx.engine) as session:
        try:
            unsubscribe(session, email, now=ctx.now())
        except (StoreError, ConfigError):
            pass  # no such subscriber: already gone, which is what was asked
        session.commit()
    return render(request, "unsubscribe.html", email=email, token=token, done=True, active=False)
