"""Settings: environment, TOML file, bad values named, README kept in step."""

from __future__ import annotations

from pathlib import Path

import pytest

from litwatch.config import NCBI_EUTILS_URL, Settings, env_name, load_settings
from litwatch.errors import ConfigError
from tests.helpers.paths import REPO

README = REPO / "README.md"


@pytest.fixture(autouse=True)
def clean_env(monkeypatch: pytest.MonkeyPatch) -> None:
    import os

    for key in list(os.environ):
        if key.startswith("LITWATCH_") or key == "NCBI_API_KEY":
            monkeypatch.delenv(key)


def test_defaults_are_embedded() -> None:
    s = load_settings()
    assert s.database_url == "sqlite:///var/litwatch.db"
    assert s.eutils_url == NCBI_EUTILS_URL
    assert s.ncbi_tool == "litwatch" and s.ncbi_api_key is None
    assert s.smtp_url is None and s.outbox_dir == Path("var/outbox")


def test_environment_wins_over_file(tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> None:
    cfg = tmp_path / "litwatch.toml"
    cfg.write_text('ncbi_email = "file@example.org"\npoll_overlap_days = 3\n')
    monkeypatch.setenv("LITWATCH_NCBI_EMAIL", "env@example.org")
    s = load_settings(cfg)
    assert s.ncbi_email == "env@example.org" and s.poll_overlap_days == 3


def test_config_file_from_environment(tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> None:
    cfg = tmp_path / "c.toml"
    cfg.write_text('eutils_url = "http://127.0.0.1:8999"\n')
    monkeypatch.setenv("LITWATCH_CONFIG", str(cfg))
    assert load_settings().eutils_url == "http://127.0.0.1:8999/"


@pytest.mark.parametrize("var", ["NCBI_API_KEY", "LITWATCH_NCBI_API_KEY"])
def test_api_key_from_either_variable(var: str, monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.setenv(var, "k3y")
    assert load_settings().ncbi_api_key == "k3y"


def test_postgresql_url_gets_the_psycopg_driver(monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.setenv("LITWATCH_DATABASE_URL", "postgresql://postgres@127.0.0.1/test")
    assert load_settings().database_url == "postgresql+psycopg://postgres@127.0.0.1/test"


@pytest.mark.parametrize(
    ("var", "value"),
    [
        ("LITWATCH_DATABASE_URL", "mysql://x"),
        ("LITWATCH_EUTILS_URL", "ftp://ncbi"),
        ("LITWATCH_EUTILS_BATCH_SIZE", "0"),
        ("LITWATCH_EUTILS_BATCH_SIZE", "lots"),
        ("LITWATCH_NCBI_EMAIL", "not-an-address"),
        ("LITWATCH_TIMEZONE", "Mars/Olympus"),
        ("LITWATCH_DIGEST_TIME", "25:00"),
        ("LITWATCH_BACKFILL_START", "yesterday"),
        ("LITWATCH_NCBI_MAX_RPS", "-1"),
    ],
)
def test_bad_value_names_the_setting(var: str, value: str, monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.setenv(var, value)
    with pytest.raises(ConfigError, match=var):
        load_settings()


def test_bad_file(tmp_path: Path) -> None:
    cfg = tmp_path / "c.toml"
    cfg.write_text("ncbi_email = \n")
    with pytest.raises(ConfigError, match="not valid TOML"):
        load_settings(cfg)
    cfg.write_text('colour = "blue"\n')
    with pytest.raises(ConfigError, match="unknown setting.*colour"):
        load_settings(cfg)
    with pytest.raises(ConfigError, match="does not exist"):
        load_settings(tmp_path / "missing.toml")


def test_readme_documents_every_setting() -> None:
    text = README.read_text()
    missing = [env_name(name) for name in Settings.model_fields if env_name(name) not in text]
    assert missing == [], f"README.md does not document {missing}"


@pytest.mark.parametrize(
    ("url", "fault"),
    [
        ("http://mail.example.org", "scheme must be smtp:// or smtps://"),
        ("smtp://", "no host"),
        ("smtp://mail.example.org:99999", "not a valid URL"),
        ("smtp://mail.example.org:port", "not a valid URL"),
        ("smtp://mail.example.org:0", "port must be"),
        ("smtp://mail.example.org?tls=yes", "unknown option 'tls'"),
        ("smtp://mail.example.org?starttls=maybe", "starttls must be one of"),
        ("smtps://mail.example.org?starttls=required", "TLS from the start"),
        ("smtp://mail.example.org?timeout=soon", "timeout must be a number"),
        ("smtp://mail.example.org?max_per_connection=0", "must be positive"),
        ("smtp://mail.example.org/inbox", "no path"),
    ],
)
def test_a_bad_smtp_url_stops_the_start(
    url: str, fault: str, monkeypatch: pytest.MonkeyPatch
) -> None:
    monkeypatch.setenv("LITWATCH_SMTP_URL", url)
    with pytest.raises(ConfigError, match="LITWATCH_SMTP_URL") as caught:
        load_settings()
    assert fault in str(caught.value) and "Value error" not in str(caught.value)
    assert len(str(caught.value).splitlines()) == 1


@pytest.mark.parametrize(
    "url",
    [
        "smtp://mail.example.org",
        "smtps://user:p%40ss@mail.example.org:465",
        "smtp://127.0.0.1:2525?starttls=required&timeout=5&max_per_connection=20",
        "smtp://[::1]:25/",
    ],
)
def test_good_smtp_urls_pass_and_the_mailer_reads_them(url: str) -> None:
    from litwatch.digests.mailer import parse_smtp_url

    assert load_settings(smtp_url=url).smtp_url == url
    parse_smtp_url(url)  # the start-up check and the mailer agree
    assert load_settings(smtp_url="  ").smtp_url is None


@pytest.mark.parametrize(
    ("var", "value"),
    [
        ("LITWATCH_DEFAULT_SCHEDULE", "often"),
        ("LITWATCH_DEFAULT_SCHEDULE", "every 0h"),
        ("LITWATCH_MAIL_FROM", "litwatch"),
        ("LITWATCH_MAIL_FROM", "litwatch <@localhost>"),
    ],
)
def test_schedule_and_sender_are_checked_at_start(
    var: str, value: str, monkeypatch: pytest.MonkeyPatch
) -> None:
    monkeypatch.setenv(var, value)
    with pytest.raises(ConfigError, match=var):
        load_settings()
