"""Signed one-click link tokens: round trip, tampering, expiry, purpose."""

from __future__ import annotations

import re
from datetime import UTC, datetime, timedelta

import pytest

from litwatch.digests.signed_links import TokenExpired, TokenInvalid, make_token, read_token
from litwatch.errors import ConfigError, LitwatchError

SECRET = "a-long-test-secret"
T0 = datetime(2026, 11, 18, 7, 0, tzinfo=UTC)
PAYLOAD = {"pmid": "36630147", "email": "ada@example.org", "relevant": True}


def test_round_trip_gives_back_the_payload() -> None:
    token = make_token(SECRET, "feedback", PAYLOAD, now=T0)
    assert read_token(SECRET, "feedback", token, timedelta(days=1), now=T0) == PAYLOAD


def test_token_is_safe_in_a_url_path() -> None:
    token = make_token(SECRET, "unsubscribe", {"email": "a+b/c@example.org"}, now=T0)
    assert re.fullmatch(r"[A-Za-z0-9_.-]+", token)


def test_real_clock_round_trip() -> None:
    token = make_token(SECRET, "unsubscribe", {"email": "ada@example.org"})
    assert read_token(SECRET, "unsubscribe", token) == {"email": "ada@example.org"}


@pytest.mark.parametrize("where", ["payload", "timestamp", "signature"])
def test_tampered_token_is_rejected(where: str) -> None:
    token = make_token(SECRET, "feedback", PAYLOAD, now=T0)
    payload, stamp, signature = token.split(".")
    parts = {"payload": payload, "timestamp": stamp, "signature": signature}
    original = parts[where]
    parts[where] = original[:-1] + ("A" if original[-1] != "A" else "B")
    forged = ".".join(parts[k] for k in ("payload", "timestamp", "signature"))
    with pytest.raises(TokenInvalid, match="not a valid feedback link"):
        read_token(SECRET, "feedback", forged, timedelta(days=1), now=T0)


def test_forged_payload_with_relevant_flipped_is_rejected() -> None:
    yes = make_token(SECRET, "feedback", PAYLOAD, now=T0)
    no = make_token(SECRET, "feedback", {**PAYLOAD, "relevant": False}, now=T0)
    # The "no" payload with the "yes" signature must not pass.
    forged = ".".join([no.split(".")[0], *yes.split(".")[1:]])
    with pytest.raises(TokenInvalid):
        read_token(SECRET, "feedback", forged, now=T0)


def test_other_secret_is_rejected() -> None:
    token = make_token(SECRET, "feedback", PAYLOAD, now=T0)
    with pytest.raises(TokenInvalid):
        read_token("another-secret", "feedback", token, now=T0)


def test_expired_token_is_rejected() -> None:
    token = make_token(SECRET, "feedback", PAYLOAD, now=T0)
    later = T0 + timedelta(days=30, seconds=1)
    assert read_token(SECRET, "feedback", token, timedelta(days=30), now=T0 + timedelta(days=30))
    with pytest.raises(TokenExpired, match="expired.*signed 2026-11-18") as info:
        read_token(SECRET, "feedback", token, timedelta(days=30), now=later)
    assert isinstance(info.value, LitwatchError)


def test_default_max_age_depends_on_purpose() -> None:
    feedback = make_token(SECRET, "feedback", PAYLOAD, now=T0)
    unsubscribe = make_token(SECRET, "unsubscribe", {"email": "ada@example.org"}, now=T0)
    after_200_days = T0 + timedelta(days=200)
    with pytest.raises(TokenExpired):
        read_token(SECRET, "feedback", feedback, now=after_200_days)
    assert read_token(SECRET, "unsubscribe", unsubscribe, now=after_200_days)


def test_max_age_in_seconds() -> None:
    token = make_token(SECRET, "feedback", PAYLOAD, now=T0)
    assert read_token(SECRET, "feedback", token, 60, now=T0 + timedelta(seconds=60))
    with pytest.raises(TokenExpired):
        read_token(SECRET, "feedback", token, 60, now=T0 + timedelta(seconds=61))


def test_wrong_purpose_is_rejected() -> None:
    feedback = make_token(SECRET, "feedback", {"email": "ada@example.org"}, now=T0)
    with pytest.raises(TokenInvalid, match="not a valid unsubscribe link"):
        read_token(SECRET, "unsubscribe", feedback, now=T0)


def test_garbage_is_rejected() -> None:
    for junk in ("", "abc", "a.b.c", "....", "eyJ9.x.y"):
        with pytest.raises(TokenInvalid):
            read_token(SECRET, "feedback", junk, now=T0)


def test_unknown_purpose_and_empty_secret_are_programming_errors() -> None:
    with pytest.raises(ValueError, match="unknown token purpose"):
        make_token(SECRET, "login", PAYLOAD)
    with pytest.raises(ConfigError):
        make_token("", "feedback", PAYLOAD)
