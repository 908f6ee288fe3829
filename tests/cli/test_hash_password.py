"""`litwatch hash-password` and the login settings it feeds."""

from __future__ import annotations

import io
from pathlib import Path

import pytest
from argon2 import PasswordHasher

from litwatch.config import load_settings
from litwatch.errors import ConfigError
from tests.helpers.cli import cli_env, run


def test_hash_password_prints_an_argon2_hash_the_settings_take(
    tmp_path: Path, monkeypatch: pytest.MonkeyPatch, capsys: pytest.CaptureFixture[str]
) -> None:
    cli_env(tmp_path, monkeypatch)
    monkeypatch.setattr("sys.stdin", io.StringIO("a long pass phrase\n"))
    code, out, err = run(capsys, "hash-password", "--stdin")
    assert code == 0, err
    hashed = out.strip()
    assert hashed.startswith("$argon2id$") and "a long pass phrase" not in hashed
    assert PasswordHasher().verify(hashed, "a long pass phrase")
    assert load_settings(web_password_hash=hashed).web_password_hash == hashed


def test_hash_password_refuses_a_short_one(
    tmp_path: Path, monkeypatch: pytest.MonkeyPatch, capsys: pytest.CaptureFixture[str]
) -> None:
    cli_env(tmp_path, monkeypatch)
    monkeypatch.setattr("sys.stdin", io.StringIO("short\n"))
    code, out, err = run(capsys, "hash-password", "--stdin")
    assert code != 0 and out == ""
    assert "at least 10 characters" in err


@pytest.mark.parametrize(
    ("setting", "value", "words"),
    [
        ("web_password_hash", "hunter2", "must be an argon2 hash"),
        ("web_password_hash", "$argon2id$nonsense", "must be an argon2 hash"),
        ("web_token", "short", "at least 16 characters"),
        ("web_token", "has a space in the middle", "no spaces"),
        ("web_session_hours", "0", "greater than 0"),
        ("web_public_read", "perhaps", "LITWATCH_WEB_PUBLIC_READ"),
    ],
)
def test_bad_login_settings_stop_the_start(setting: str, value: str, words: str) -> None:
    with pytest.raises(ConfigError) as caught:
        load_settings(**{setting: value})
    assert words in str(caught.value)
    assert "LITWATCH_" + setting.upper() in str(caught.value)


def test_blank_login_settings_mean_unset() -> None:
    settings = load_settings(web_password_hash="  ", web_token="")
    assert settings.web_password_hash is None and settings.web_token is None
    assert settings.web_public_read is False
