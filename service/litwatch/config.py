"""Over 300 lines: every setting is declared here once with its check, and the README table,
the loader and the tests read that one list.

Settings: declared once here, read from LITWATCH_* variables and an optional TOML file.

Precedence: environment variables, then the TOML file (``--config`` or LITWATCH_CONFIG; keys
are the setting names without the prefix, e.g. ``database_url = "..."``), then the defaults.
A bad value stops the program at start with a message naming the setting.
"""

from __future__ import annotations

import os
import re
import tomllib
from datetime import date
from email.utils import parseaddr
from pathlib import Path
from typing import Any
from urllib.parse import parse_qsl, urlsplit
from zoneinfo import ZoneInfo, ZoneInfoNotFoundError

from apscheduler.triggers.cron import CronTrigger
from pydantic import AliasChoices, Field, ValidationError, field_validator
from pydantic_settings import BaseSettings, PydanticBaseSettingsSource, SettingsConfigDict

from litwatch.errors import ConfigError

_EVERY = re.compile(r"^every\s+(\d+)\s*(s|m|min|h|d)$", re.IGNORECASE)
SMTP_SCHEMES = ("smtp", "smtps")
SMTP_OPTIONS = {
    "starttls": ("auto", "required", "never"),
    "timeout": None,  # seconds, > 0
    "max_per_connection": None,  # messages, >= 1
}
NCBI_EUTILS_URL = "https://eutils.ncbi.nlm.nih.gov/entrez/eutils/"
ENV_PREFIX = "LITWATCH_"


class Settings(BaseSettings):
    """Every setting litwatch reads. The README's configuration table is checked against it."""

    model_config = SettingsConfigDict(env_prefix=ENV_PREFIX, extra="forbid", frozen=True)

    database_url: str = Field(
        "sqlite:///var/litwatch.db",
        description="SQLAlchemy URL of the store: a SQLite file (default, under var/) or "
        "postgresql+psycopg://user@host/db",
    )
    eutils_url: str = Field(NCBI_EUTILS_URL, description="Base URL of NCBI E-utilities")
    ncbi_email: str = Field(
        "", description="Contact address sent to NCBI with every request (required by NCBI)"
    )
    ncbi_tool: str = Field("litwatch", description="Tool name sent to NCBI with every request")
    ncbi_api_key: str | None = Field(
        None,
        validation_alias=AliasChoices("LITWATCH_NCBI_API_KEY", "NCBI_API_KEY"),
        description="NCBI API key (also read from NCBI_API_KEY): raises the limit to 10 req/s",
    )
    ncbi_max_rps: float | None = Field(
        None, gt=0, description="A lower request rate than NCBI's limit (requests per second)"
    )
    eutils_timeout: float = Field(30.0, gt=0, description="Seconds before an HTTP request fails")
    eutils_max_tries: int = Field(6, ge=1, le=20, description="Tries per request before giving up")
    eutils_batch_size: int = Field(500, ge=1, le=10000, description="Records per efetch request")
    poll_classify_worker: bool = Field(
        True, description="Classify in a second process while the poll stores the next batch"
    )
    poll_overlap_days: int = Field(
        7, ge=0, le=365, description="Days of overlap when polling for new records (late arrivals)"
    )
    backfill_start: date | None = Field(
        None, description="First create date of a new search's backfill (default: everything)"
    )
    default_schedule: str = Field(
        "every 6h", description="Poll schedule of a search without its own: 'every 6h' or cron"
    )
    findings: Path | None = Field(
        None, description="A knowledge-base TOML file to use instead of the shipped one"
    )
    smtp_url: str | None = Field(
        None,
        description="smtp://user:pass@host:port or smtps://...; unset: digests go to the outbox",
    )
    mail_from: str = Field("litwatch <litwatch@localhost>", description="From: of digests")
    outbox_dir: Path = Field(Path("var/outbox"), description="Where .eml files go without SMTP")
    base_url: str = Field(
        "http://localhost:8000", description="Public URL of the web app (links in emails)"
    )
    secret_key: str | None = Field(
        None,
        description="Signs feedback and unsubscribe links; default: a key kept in var/secret.key",
    )
    timezone: str = Field("UTC", description="Timezone for schedules and dates shown to people")
    digest_time: str = Field("07:00", description="Time of day digests go out (HH:MM)")
    digest_weekday: str = Field("mon", description="Day weekly digests go out (mon..sun)")
    first_digest_max: int = Field(
        15,
        ge=1,
        le=1000,
        description="Most articles in a subscriber's first digest (the rest: linked on the web)",
    )
    digest_check_seconds: int | None = Field(
        None,
        gt=0,
        description="Also look for due digests every N seconds, not only at the digest time "
        "(what is due is unchanged; for tests of several rounds)",
    )
    web_host: str = Field("127.0.0.1", description="Address `litwatch serve` listens on")
    web_port: int = Field(8000, ge=0, le=65535, description="Port `litwatch serve` listens on")
    web_password_hash: str | None = Field(
        None,
        description="argon2 hash of the web login password (make one with `litwatch "
        "hash-password`)",
    )
    web_token: str | None = Field(
        None,
        description="A login token (at least 16 characters): typed at the login page, or sent "
        "as 'Authorization: Bearer TOKEN' to the JSON API",
    )
    web_public_read: bool = Field(
        False,
        description="Let anyone browse the web app without logging in (changes still need it)",
    )
    web_session_hours: float = Field(12.0, gt=0, le=24 * 90, description="Hours a web login lasts")
    log_level: str = Field("INFO", description="DEBUG, INFO, WARNING or ERROR")

    @classmethod
    def settings_customise_sources(
        cls,
        settings_cls: type[BaseSettings],
        init_settings: PydanticBaseSettingsSource,
        env_settings: PydanticBaseSettingsSource,
        dotenv_settings: PydanticBaseSettingsSource,
        file_secret_settings: PydanticBaseSettingsSource,
    ) -> tuple[PydanticBaseSettingsSource, ...]:
        # init holds the TOML file's values: the environment wins over it.
        return (env_settings, init_settings)

    @field_validator("eutils_url", "base_url")
    @classmethod
    def _http_url(cls, value: str) -> str:
        if not value.startswith(("http://", "https://")):
            raise ValueError("must start with http:// or https://")
        return value if value.endswith("/") or value == "" else value + "/"

    @field_validator("smtp_url")
    @classmethod
    def _smtp(cls, value: str | None) -> str | None:
        if value is None or not value.strip():
            return None
        return check_smtp_url(value.strip())

    @field_validator("default_schedule")
    @classmethod
    def _schedule(cls, value: str) -> str:
        every = _EVERY.match(value.strip())
        if every:
            if int(every.group(1)) <= 0:
                raise ValueError("the interval must be positive")
            return value.strip()
        try:
            CronTrigger.from_crontab(value.strip())
        except ValueError as exc:
            raise ValueError(f"neither 'every N(s|m|h|d)' nor a cron line ({exc})") from None
        return value.strip()

    @field_validator("mail_from")
    @classmethod
    def _sender(cls, value: str) -> str:
        _name, address = parseaddr(value)
        local, at, domain = address.rpartition("@")
        if not (at and local and domain) or any(c.isspace() for c in address):
            raise ValueError("must be an address, e.g. 'litwatch <litwatch@example.org>'")
        return value

    @field_validator("database_url")
    @classmethod
    def _database_url(cls, value: str) -> str:
        if value.startswith("postgresql://"):
            value = "postgresql+psycopg://" + value.removeprefix("postgresql://")
        if not value.startswith(("sqlite://", "postgresql+psycopg://")):
            raise ValueError("must be a sqlite:/// or postgresql:// URL")
        return value

    @field_validator("timezone")
    @classmethod
    def _timezone(cls, value: str) -> str:
        try:
            ZoneInfo(value)
        except (ZoneInfoNotFoundError, ValueError) as exc:
            raise ValueError(f"unknown timezone {value!r}") from exc
        return value

    @field_validator("digest_time")
    @classmethod
    def _hhmm(cls, value: str) -> str:
        hh, _, mm = value.partition(":")
        if not (hh.isdigit() and mm.isdigit() and int(hh) < 24 and int(mm) < 60):
            raise ValueError("must be HH:MM")
        return f"{int(hh):02d}:{int(mm):02d}"

    @field_validator("digest_weekday")
    @classmethod
    def _weekday(cls, value: str) -> str:
        days = ("mon", "tue", "wed", "thu", "fri", "sat", "sun")
        if value.lower()[:3] not in days:
            raise ValueError(f"must be one of {', '.join(days)}")
        return value.lower()[:3]

    @field_validator("log_level")
    @classmethod
    def _level(cls, value: str) -> str:
        if value.upper() not in ("DEBUG", "INFO", "WARNING", "ERROR"):
            raise ValueError("must be DEBUG, INFO, WARNING or ERROR")
        return value.upper()

    @field_validator("web_password_hash")
    @classmethod
    def _password_hash(cls, value: str | None) -> str | None:
        if value is None or not value.strip():
            return None
        value = value.strip()
        from argon2 import extract_parameters
        from argon2.exceptions import InvalidHashError

        try:
            extract_parameters(value)
        except (InvalidHashError, ValueError):
            raise ValueError(
                "must be an argon2 hash ($argon2id$...): make one with `litwatch hash-password`"
            ) from None
        return value

    @field_validator("web_token")
    @classmethod
    def _token(cls, value: str | None) -> str | None:
        if value is None or not value.strip():
            return None
        if len(value.strip()) < 16 or any(c.isspace() for c in value.strip()):
            raise ValueError("must be at least 16 characters, with no spaces")
        return value.strip()

    @field_validator("ncbi_email")
    @classmethod
    def _email(cls, value: str) -> str:
        if value and "@" not in value:
            raise ValueError("must be an email address")
        return value

    @property
    def var_dir(self) -> Path:
        """Where embedded state lives (the SQLite file's folder by default)."""
        return Path("var")


def check_smtp_url(url: str) -> str:
    """``url`` if it is smtp[s]://[user[:pass]@]host[:port][?option=value...]; else ValueError.

    Checked at start so a bad URL does not wait for the first digest to fail; the mailer reads
    its URL through this same check.
    """
    try:
        parts = urlsplit(url)
        port = parts.port
    except ValueError as exc:
        raise ValueError(f"not a valid URL ({exc})") from None
    if parts.scheme.lower() not in SMTP_SCHEMES:
        raise ValueError(f"the scheme must be smtp:// or smtps://, not {parts.scheme or '(none)'}")
    if not parts.hostname:
        raise ValueError("no host in the URL (smtp://host:port)")
    if port == 0:
        raise ValueError("the port must be 1..65535")
    if parts.path not in ("", "/"):
        raise ValueError(f"an SMTP URL has no path ({parts.path!r})")
    for key, value in parse_qsl(parts.query, keep_blank_values=True):
        _check_smtp_option(key, value, parts.scheme.lower())
    return url


def _check_smtp_option(key: str, value: str, scheme: str) -> None:
    if key not in SMTP_OPTIONS:
        raise ValueError(f"unknown option {key!r} (known: {', '.join(SMTP_OPTIONS)})")
    choices = SMTP_OPTIONS[key]
    if choices is not None:
        if value not in choices:
            raise ValueError(f"{key} must be one of {', '.join(choices)}, not {value!r}")
        if scheme == "smtps" and value == "required":
            raise ValueError("smtps:// is TLS from the start; starttls=required does not apply")
        return
    try:
        number = float(value) if key == "timeout" else int(value)
    except ValueError:
        raise ValueError(f"{key} must be a number, not {value!r}") from None
    if not (number > 0 and number < float("inf")):
        raise ValueError(f"{key} must be positive, not {value!r}")


def env_name(field: str) -> str:
    """The environment variable that sets ``field``."""
    return ENV_PREFIX + field.upper()


def _read_toml(path: Path) -> dict[str, Any]:
    try:
        with path.open("rb") as fh:
            data = tomllib.load(fh)
    except FileNotFoundError as exc:
        raise ConfigError(f"config file {path} does not exist") from exc
    except tomllib.TOMLDecodeError as exc:
        raise ConfigError(f"config file {path} is not valid TOML: {exc}") from exc
    unknown = sorted(set(data) - set(Settings.model_fields))
    if unknown:
        raise ConfigError(f"config file {path}: unknown setting(s) {', '.join(unknown)}")
    return data


def load_settings(config_file: Path | str | None = None, **overrides: Any) -> Settings:
    """Read settings from the environment and an optional TOML file; ConfigError if bad."""
    path = config_file or os.environ.get("LITWATCH_CONFIG")
    values: dict[str, Any] = _read_toml(Path(path)) if path else {}
    values.update(overrides)
    try:
        return Settings(**values)
    except ValidationError as exc:
        problems = []
        for err in exc.errors():
            field = str(err["loc"][0]) if err["loc"] else "?"
            name = env_name(field) if field in Settings.model_fields else field
            problems.append(f"{name}: {err['msg'].removeprefix('Value error, ')}")
        raise ConfigError("bad setting: " + "; ".join(problems)) from None
