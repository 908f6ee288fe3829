"""Signed, expiring tokens for the one-click links in digests (feedback, unsubscribe).

A token is ``itsdangerous`` URL-safe JSON with a timestamp, signed with the site secret and
salted with its purpose, so a feedback token can never be replayed as an unsubscribe one.
Pass ``now`` to sign or check at a chosen time (tests, previews); by default the clock is real.
"""

from __future__ import annotations

import hashlib
from collections.abc import Callable, Mapping
from datetime import UTC, datetime, timedelta
from typing import Any

from itsdangerous import BadData, SignatureExpired, TimestampSigner, URLSafeTimedSerializer

from litwatch.errors import ConfigError, LitwatchError

#: What a token may be for; each purpose is its own salt.
PURPOSES = ("feedback", "unsubscribe")

#: How long a link in a sent digest keeps working, unless the caller says otherwise.
#: Unsubscribe stays valid much longer: an old digest must still let people leave.
DEFAULT_MAX_AGE = {
    "feedback": timedelta(days=90),
    "unsubscribe": timedelta(days=365),
}


class TokenError(LitwatchError):
    """A link token cannot be used; the message says why in words a reader understands."""


class TokenInvalid(TokenError):
    """The token was altered, signed with another secret, or made for another purpose."""


class TokenExpired(TokenError):
    """The token is genuine but older than allowed."""


class _ClockSigner(TimestampSigner):
    """A timestamp signer that reads the time from a given clock, not from time.time()."""

    def __init__(self, *args: Any, clock: Callable[[], datetime], **kwargs: Any) -> None:
        super().__init__(*args, **kwargs)
        self._clock = clock

    def get_timestamp(self) -> int:
        return int(self._clock().timestamp())


def _serializer(secret: str, purpose: str, now: datetime | None) -> URLSafeTimedSerializer:
    if purpose not in PURPOSES:
        raise ValueError(f"unknown token purpose {purpose!r}; expected one of {PURPOSES}")
    if not secret:
        raise ConfigError("the secret that signs digest links is empty")
    clock: Callable[[], datetime] = (
        (lambda: now) if now is not None else (lambda: datetime.now(UTC))
    )
    return URLSafeTimedSerializer(
        secret,
        salt=f"litwatch.{purpose}",
        signer=_ClockSigner,
        signer_kwargs={"clock": clock, "digest_method": hashlib.sha256},
    )


def make_token(
    secret: str, purpose: str, payload: Mapping[str, Any], *, now: datetime | None = None
) -> str:
    """Sign ``payload`` (JSON-able) for ``purpose``; the result is safe in a URL path."""
    return token_maker(secret, purpose, now=now)(payload)


def token_maker(
    secret: str, purpose: str, *, now: datetime | None = None
) -> Callable[[Mapping[str, Any]], str]:
    """``make_token`` for many payloads: builds the signer once (a digest signs dozens)."""
    serializer = _serializer(secret, purpose, now)
    return lambda payload: str(serializer.dumps(dict(payload)))


def read_token(
    secret: str,
    purpose: str,
    token: str,
    max_age: timedelta | float | None = None,
    *,
    now: datetime | None = None,
) -> dict[str, Any]:
    """The payload of a genuine, unexpired token for ``purpose``; else TokenInvalid/Expired.

    ``max_age`` is a timedelta or seconds; by default ``DEFAULT_MAX_AGE[purpose]``.
    """
    if max_age is None:
        max_age = DEFAULT_MAX_AGE.get(purpose, timedelta(0))
    seconds = max_age.total_seconds() if isinstance(max_age, timedelta) else float(max_age)
    serializer = _serializer(secret, purpose, now)
    try:
        payload = serializer.loads(token, max_age=int(seconds))
    except SignatureExpired as exc:
        signed = f" (signed {exc.date_signed:%Y-%m-%d})" if exc.date_signed else ""
        raise TokenExpired(f"this {purpose} link has expired{signed}") from exc
    except BadData as exc:
        raise TokenInvalid(f"this is not a valid {purpose} link") from exc
    if not isinstance(payload, dict):
        raise TokenInvalid(f"this is not a valid {purpose} link")
    return payload
