"""Delivery: SMTP (STARTTLS, SSL, AUTH) or, with no server configured, .eml files in an outbox.

The only module that speaks SMTP. Every failure leaves it as one ``DeliveryError`` whose
``permanent`` flag tells the queue whether trying again later can help: refused or dropped
connections, timeouts and 4xx replies are temporary; 5xx replies, a refused recipient and
rejected credentials (535) are permanent.
"""

from __future__ import annotations

import os
import re
import smtplib
import ssl
import tempfile
from collections.abc import Callable
from dataclasses import dataclass, field
from datetime import UTC, datetime
from email.message import EmailMessage
from pathlib import Path
from types import TracebackType
from typing import Literal, Protocol
from urllib.parse import parse_qsl, unquote, urlsplit

from litwatch.config import check_smtp_url
from litwatch.errors import ConfigError, DeliveryError

SETTING = "LITWATCH_SMTP_URL"
DEFAULT_PORTS = {"smtp": 25, "smtps": 465}


@dataclass(frozen=True)
class SmtpSettings:
    scheme: Literal["smtp", "smtps"]
    host: str
    port: int
    username: str = ""
    password: str = field(default="", repr=False)
    # auto: upgrade when the server offers STARTTLS; required: refuse to go on without it.
    starttls: Literal["auto", "required", "never"] = "auto"
    timeout: float = 30.0
    # Some servers cap messages per connection; reconnect before reaching the cap.
    max_per_connection: int = 100

    @property
    def server(self) -> str:
        return f"{self.host}:{self.port}"


def parse_smtp_url(url: str) -> SmtpSettings:
    """``smtp://user:pass@host:port?starttls=required&timeout=10`` or ``smtps://...``.

    The URL is checked by the same rules as at start (``config.check_smtp_url``); this only
    reads it into settings with their defaults.
    """
    try:
        check_smtp_url(url.strip())
    except ValueError as exc:
        raise ConfigError(f"{SETTING}: {exc}") from None
    parts = urlsplit(url.strip())
    scheme = parts.scheme.lower()
    options = dict(parse_qsl(parts.query, keep_blank_values=True))
    return SmtpSettings(
        scheme=scheme,  # type: ignore[arg-type]
        host=parts.hostname or "",
        port=parts.port or DEFAULT_PORTS[scheme],
        username=unquote(parts.username or ""),
        password=unquote(parts.password or ""),
        starttls=options.get("starttls", "auto"),  # type: ignore[arg-type]
        timeout=float(options.get("timeout", 30)),
        max_per_connection=int(options.get("max_per_connection", 100)),
    )


class Mailer(Protocol):
    def send(self, msg: EmailMessage) -> Path | None: ...

    def close(self) -> None: ...


def _delivery_error(exc: Exception, settings: SmtpSettings) -> DeliveryError:
    """One readable error, naming the server and the code, with the permanent flag set."""
    server = f"SMTP server {settings.server}"
    if isinstance(exc, smtplib.SMTPRecipientsRefused):
        codes = [code for code, _ in exc.recipients.values()]
        refused = "; ".join(
            f"{rcpt}: {code} {_text(reply)}" for rcpt, (code, reply) in exc.recipients.items()
        )
        return DeliveryError(
            f"{server} refused the recipient ({refused or 'the message names none'})",
            permanent=all(500 <= c < 600 for c in codes),
        )
    if isinstance(exc, smtplib.SMTPResponseException):
        what = {
            smtplib.SMTPAuthenticationError: "rejected the credentials",
            smtplib.SMTPSenderRefused: "refused the sender",
            smtplib.SMTPDataError: "refused the message",
            smtplib.SMTPConnectError: "refused the connection",
            smtplib.SMTPHeloError: "refused the greeting",
        }.get(type(exc), "answered")
        return DeliveryError(
            f"{server} {what}: {exc.smtp_code} {_text(exc.smtp_error)}",
            permanent=500 <= exc.smtp_code < 600,
        )
    if isinstance(exc, smtplib.SMTPServerDisconnected):
        return DeliveryError(f"{server} closed the connection: {exc}", permanent=False)
    if isinstance(exc, smtplib.SMTPNotSupportedError):
        # A setting to fix (STARTTLS or AUTH missing); the digest stays queued until then.
        return DeliveryError(f"{server}: {exc}", permanent=False)
    if isinstance(exc, ssl.SSLError | ssl.CertificateError):
        return DeliveryError(f"{server}: TLS failed: {exc}", permanent=False)
    if isinstance(exc, TimeoutError):
        return DeliveryError(f"{server} timed out after {settings.timeout:g}s", permanent=False)
    if isinstance(exc, OSError):
        return DeliveryError(f"{server} could not be reached: {exc}", permanent=False)
    return DeliveryError(f"{server}: {exc}", permanent=False)


def _text(reply: bytes | str) -> str:
    if isinstance(reply, bytes):
        reply = reply.decode("utf-8", "replace")
    return " ".join(reply.split())


class SmtpMailer:
    """Sends messages over one SMTP connection, opened on first use and reused after."""

    def __init__(self, settings: SmtpSettings, *, ssl_context: ssl.SSLContext | None = None):
        self.settings = settings
        self._ssl_context = ssl_context
        self._conn: smtplib.SMTP | None = None
        self._sent_on_conn = 0

    def _context(self) -> ssl.SSLContext:
        if self._ssl_context is None:
            self._ssl_context = ssl.create_default_context()
        return self._ssl_context

    def _connect(self) -> smtplib.SMTP:
        s = self.settings
        conn: smtplib.SMTP
        if s.scheme == "smtps":
            conn = smtplib.SMTP_SSL(s.host, s.port, timeout=s.timeout, context=self._context())
        else:
            conn = smtplib.SMTP(s.host, s.port, timeout=s.timeout)
        try:
            conn.ehlo()
            if s.scheme == "smtp" and s.starttls != "never":
                if conn.has_extn("starttls"):
                    conn.starttls(context=self._context())
                    conn.ehlo()
                elif s.starttls == "required":
                    raise smtplib.SMTPNotSupportedError(
                        "STARTTLS is required (starttls=required) but the server does not offer it"
                    )
            if s.username:
                conn.login(s.username, s.password)
        except BaseException:
            conn.close()
            raise
        return conn

    def _connection(self) -> smtplib.SMTP:
        if self._conn is not None and self._sent_on_conn >= self.settings.max_per_connection:
            self.close()
        if self._conn is not None:
            # Servers drop idle clients; check before trusting a connection with a message.
            try:
                if self._conn.noop()[0] == 250:
                    return self._conn
            except (smtplib.SMTPException, OSError):
                pass
            self._drop()
        self._conn = self._connect()
        self._sent_on_conn = 0
        return self._conn

    def send(self, msg: EmailMessage) -> None:
        """Deliver ``msg`` to its To/Cc/Bcc recipients, or raise DeliveryError."""
        try:
            conn = self._connection()
            conn.send_message(msg)
            self._sent_on_conn += 1
        except (smtplib.SMTPException, OSError) as exc:
            # After a failure the session state is unknown: start the next send afresh.
            self._drop()
            raise _delivery_error(exc, self.settings) from exc

    def _drop(self) -> None:
        if self._conn is not None:
            try:
                self._conn.close()
            finally:
                self._conn = None

    def close(self) -> None:
        """Say QUIT politely; a connection already gone is fine."""
        if self._conn is None:
            return
        try:
            self._conn.quit()
        except (smtplib.SMTPException, OSError):
            pass
        finally:
            self._drop()

    def __enter__(self) -> SmtpMailer:
        return self

    def __exit__(
        self,
        exc_type: type[BaseException] | None,
        exc: BaseException | None,
        tb: TracebackType | None,
    ) -> None:
        self.close()


_UNSAFE = re.compile(r"[^A-Za-z0-9._-]+")


class OutboxMailer:
    """Writes each message as ``<UTC timestamp>-<message id>.eml`` in a directory."""

    def __init__(self, directory: Path, *, clock: Callable[[], datetime] | None = None):
        self.directory = Path(directory)
        self._clock = clock or (lambda: datetime.now(UTC))

    def send(self, msg: EmailMessage) -> Path:
        """Write ``msg`` atomically (temp file, then rename) and return its path."""
        stamp = self._clock().astimezone(UTC).strftime("%Y%m%dT%H%M%S%fZ")
        ident = _UNSAFE.sub("_", str(msg.get("Message-ID", "")).strip("<> ")).strip("_")[:120]
        path = self.directory / f"{stamp}-{ident or 'message'}.eml"
        try:
            self.directory.mkdir(parents=True, exist_ok=True)
            # Readers (people, `make demo`) must never see half a file: write aside, rename.
            fd, tmp = tempfile.mkstemp(dir=self.directory, prefix=".", suffix=".eml.tmp")
            try:
                with os.fdopen(fd, "wb") as fh:
                    fh.write(msg.as_bytes())
                    fh.flush()
                    os.fsync(fh.fileno())
                os.replace(tmp, path)
            except BaseException:
                Path(tmp).unlink(missing_ok=True)
                raise
        except OSError as exc:
            raise DeliveryError(f"could not write {path}: {exc}", permanent=False) from exc
        return path

    def close(self) -> None:
        """Nothing to release; here so both mailers are used alike."""


def make_mailer(smtp_url: str | None, outbox_dir: Path) -> SmtpMailer | OutboxMailer:
    """An SMTP mailer when a URL is set, else the outbox under ``outbox_dir``."""
    if smtp_url and smtp_url.strip():
        return SmtpMailer(parse_smtp_url(smtp_url))
    return OutboxMailer(outbox_dir)
