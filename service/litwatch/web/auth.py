"""Who may change things: the login secret, the signed session, CSRF tokens, bearer tokens.

A person logs in with the password (kept as an argon2 hash, ``LITWATCH_WEB_PASSWORD_HASH``) or
the token (``LITWATCH_WEB_TOKEN``); the session cookie is signed (starlette's
``SessionMiddleware``), HttpOnly, SameSite=Lax, and Secure when the site is served over https.
Every changing request needs the login and, from a browser, the session's CSRF token (a form
field or the ``X-CSRF-Token`` header); a program may instead send ``Authorization: Bearer
TOKEN``, which a browser never sends by itself, so it needs no CSRF token. Reading needs the
login too unless ``LITWATCH_WEB_PUBLIC_READ`` opens it. The digest's signed links are not
guarded here: the signed token in the link is what proves the reader got it by mail.
"""

from __future__ import annotations

import hashlib
import hmac
import secrets
from typing import Any

from argon2 import PasswordHasher
from argon2.exceptions import InvalidHashError, VerificationError
from fastapi import Request

from litwatch.config import Settings
from litwatch.web.forms import read_fields

SESSION_USER = "user"
SESSION_CSRF = "csrf"
CSRF_FIELD = "csrf_token"
CSRF_HEADER = "x-csrf-token"
USER = "editor"  # one shared login: litwatch has no user accounts

NO_SECRET = (
    "No login secret is set, so nobody can log in and every change is refused. Set "
    "LITWATCH_WEB_PASSWORD_HASH to what `litwatch hash-password` prints, or LITWATCH_WEB_TOKEN "
    "to a long random value (at least 16 characters), and restart litwatch."
)


class LoginRequired(Exception):
    """The request needs a login it does not carry (answered 401, or 303 to the login page)."""


class CsrfRefused(Exception):
    """A logged-in browser's change came without the session's CSRF token (answered 403)."""


def has_secret(settings: Settings) -> bool:
    return bool(settings.web_password_hash or settings.web_token)


def session_key(secret_key: str) -> str:
    """The key that signs session cookies, derived from the site's secret so that a digest
    link's signature can never pass for a session's, nor the other way round."""
    return hmac.new(secret_key.encode(), b"litwatch web session", hashlib.sha256).hexdigest()


def secret_matches(settings: Settings, typed: str) -> bool:
    """Whether ``typed`` is the token or the password (constant time for the token; argon2
    is slow on purpose for the password)."""
    if not typed:
        return False
    if settings.web_token and hmac.compare_digest(typed.encode(), settings.web_token.encode()):
        return True
    if settings.web_password_hash:
        try:
            return PasswordHasher().verify(settings.web_password_hash, typed)
        except (VerificationError, InvalidHashError):
            return False
    return False


def hash_password(password: str) -> str:
    """An argon2id hash of ``password`` (argon2-cffi's recommended parameters)."""
    return PasswordHasher().hash(password)


def _settings(request: Request) -> Settings:
    settings: Settings = request.app.state.ctx.settings
    return settings


def session_of(request: Request) -> dict[str, Any]:
    session: dict[str, Any] = request.scope.get("session", {})
    return session


def bearer_ok(request: Request) -> bool:
    token = _settings(request).web_token
    kind, _, sent = request.headers.get("authorization", "").partition(" ")
    return bool(
        token
        and kind.lower() == "bearer"
        and hmac.compare_digest(sent.strip().encode(), token.encode())
    )


def logged_in(request: Request) -> bool:
    return session_of(request).get(SESSION_USER) == USER or bearer_ok(request)


def csrf_token(request: Request) -> str:
    """The session's CSRF token, made on first use (so only pages with a form set a cookie)."""
    cookie = session_of(request)
    if not cookie.get(SESSION_CSRF):
        cookie[SESSION_CSRF] = secrets.token_urlsafe(32)
    return str(cookie[SESSION_CSRF])


def start_session(request: Request) -> None:
    """Log the browser in with a fresh session and token (none from before the login lives on)."""
    cookie = session_of(request)
    cookie.clear()
    cookie[SESSION_USER] = USER
    cookie[SESSION_CSRF] = secrets.token_urlsafe(32)


async def csrf_ok(request: Request) -> bool:
    """Whether the request carries this session's CSRF token (header or form field)."""
    expected = session_of(request).get(SESSION_CSRF)
    sent = request.headers.get(CSRF_HEADER)
    if sent is None:
        sent = str((await read_fields(request)).get(CSRF_FIELD) or "")
    return bool(expected) and hmac.compare_digest(sent.encode(), str(expected).encode())


async def require_reader(request: Request) -> None:
    """A dependency: reading is open (the setting) or the request is logged in."""
    if _settings(request).web_public_read or logged_in(request):
        return
    raise LoginRequired()


async def require_editor(request: Request) -> None:
    """A dependency of every changing route: logged in, and the CSRF token for a session."""
    if bearer_ok(request):
        return
    if session_of(request).get(SESSION_USER) != USER:
        raise LoginRequired()
    if not await csrf_ok(request):
        raise CsrfRefused()
