"""Delivery against a real SMTP server (aiosmtpd on loopback), and the .eml outbox."""

from __future__ import annotations

import asyncio
import email
import email.policy
import shutil
import socket
import ssl
import subprocess
import threading
from collections.abc import Iterator
from contextlib import contextmanager
from datetime import UTC, datetime
from email.message import EmailMessage
from email.utils import make_msgid
from pathlib import Path
from typing import Any

import pytest
from aiosmtpd.controller import Controller
from aiosmtpd.smtp import AuthResult, LoginPassword

from litwatch.digests.mailer import (
    OutboxMailer,
    SmtpMailer,
    SmtpSettings,
    make_mailer,
    parse_smtp_url,
)
from litwatch.digests.message import build_message
from litwatch.digests.signed_links import read_token
from litwatch.errors import ConfigError, DeliveryError
from tests.digests.test_build import NOW, SECRET, render, sample_digest


class Recorder:
    """An aiosmtpd handler that keeps what it receives, or answers with a chosen reply."""

    def __init__(self, rcpt_reply: str = "", data_reply: str = "") -> None:
        self.rcpt_reply = rcpt_reply
        self.data_reply = data_reply
        self.received: list[tuple[Any, Any]] = []  # (envelope, peer)
        self.hang_up_after_first = False
        self.hung_up = threading.Event()

    async def handle_RCPT(self, server, session, envelope, address, rcpt_options):  # type: ignore[no-untyped-def]
        if self.rcpt_reply:
            return self.rcpt_reply
        envelope.rcpt_tos.append(address)
        return "250 OK"

    async def handle_DATA(self, server, session, envelope):  # type: ignore[no-untyped-def]
        if self.data_reply:
            return self.data_reply
        self.received.append((envelope, session.peer))
        if self.hang_up_after_first and not self.hung_up.is_set():
            # Like a server dropping an idle client: close once the reply has gone out.
            def hang_up() -> None:
                server.transport.close()
                self.hung_up.set()

            asyncio.get_running_loop().call_later(0.05, hang_up)
        return "250 Message accepted"


def free_port() -> int:
    with socket.socket() as s:
        s.bind(("127.0.0.1", 0))
        return int(s.getsockname()[1])


@contextmanager
def smtp_server(handler: Recorder, **kwargs: Any) -> Iterator[Controller]:
    controller = Controller(handler, hostname="127.0.0.1", port=free_port(), **kwargs)
    controller.start()
    try:
        yield controller
    finally:
        controller.stop()


def settings_for(controller: Controller, **fields: Any) -> SmtpSettings:
    values: dict[str, Any] = {"scheme": "smtp", "host": "127.0.0.1", "port": controller.port}
    values.update(timeout=5.0)
    values.update(fields)
    return SmtpSettings(**values)


def message(to: str = "ada@example.org") -> EmailMessage:
    rendered = render(sample_digest())
    return build_message(
        rendered,
        sender="litwatch <digest@litwatch.example>",
        to=to,
        message_id=make_msgid(idstring="digest", domain="litwatch.example"),
        now=NOW,
    )


# --- delivery ----------------------------------------------------------------------------


def test_delivered_digest_parses_back_whole() -> None:
    handler = Recorder()
    rendered = render(sample_digest())
    msg = build_message(
        rendered,
        sender="litwatch <digest@litwatch.example>",
        to="Ada <ada@example.org>",
        message_id=make_msgid(idstring="digest", domain="litwatch.example"),
        now=NOW,
    )
    with smtp_server(handler) as server, SmtpMailer(settings_for(server)) as mailer:
        mailer.send(msg)
    [(envelope, _)] = handler.received
    assert envelope.mail_from == "digest@litwatch.example"
    assert envelope.rcpt_tos == ["ada@example.org"]
    got = email.message_from_bytes(envelope.original_content, policy=email.policy.default)
    assert got.get_content_type() == "multipart/alternative"
    assert [p.get_content_type() for p in got.iter_parts()] == ["text/plain", "text/html"]
    # On the wire lines end in CRLF; the content is otherwise what was rendered.
    text = got.get_body(("plain",)).get_content().replace("\r\n", "\n")  # type: ignore[union-attr]
    html = got.get_body(("html",)).get_content().replace("\r\n", "\n")  # type: ignore[union-attr]
    assert text == rendered.text and html == rendered.html
    assert got["Message-ID"] == msg["Message-ID"]
    assert got["Date"] == "Wed, 18 Nov 2026 06:00:00 +0000"
    assert got["List-Unsubscribe"] == f"<{rendered.unsubscribe_url}>"
    assert got["List-Unsubscribe-Post"] == "List-Unsubscribe=One-Click"
    assert "https://pubmed.ncbi.nlm.nih.gov/101/" in html and "<i>TERT</i>" in html
    # Every one-click link that arrived carries a token the web app can read.
    unsubscribe = got["List-Unsubscribe"].strip("<>").rsplit("/", 1)[1]
    assert read_token(SECRET, "unsubscribe", unsubscribe, now=NOW) == {"email": "ada@example.org"}
    feedback = [u for u in html.split('"') if u.startswith("http://localhost:8000/feedback/")]
    assert len(feedback) == 2 * len(rendered.feedback_urls)
    payloads = [read_token(SECRET, "feedback", u.rsplit("/", 1)[1], now=NOW) for u in feedback]
    assert {(p["pmid"], p["relevant"]) for p in payloads} == {
        (pmid, flag) for pmid in rendered.feedback_urls for flag in (True, False)
    }
    assert all(p["email"] == "ada@example.org" for p in payloads)


def test_several_sends_share_one_connection() -> None:
    handler = Recorder()
    with smtp_server(handler) as server, SmtpMailer(settings_for(server)) as mailer:
        for n in range(3):
            mailer.send(message(f"reader{n}@example.org"))
    assert len(handler.received) == 3
    assert len({peer for _, peer in handler.received}) == 1


def test_reconnects_after_the_per_connection_cap() -> None:
    handler = Recorder()
    with smtp_server(handler) as server:
        with SmtpMailer(settings_for(server, max_per_connection=2)) as mailer:
            for _ in range(3):
                mailer.send(message())
    assert len({peer for _, peer in handler.received}) == 2


def test_reconnects_when_the_server_hung_up_between_messages() -> None:
    handler = Recorder()
    handler.hang_up_after_first = True
    with smtp_server(handler) as server, SmtpMailer(settings_for(server)) as mailer:
        mailer.send(message())
        assert handler.hung_up.wait(5)
        mailer.send(message())
    assert len(handler.received) == 2
    assert len({peer for _, peer in handler.received}) == 2


def test_refused_connection_is_temporary() -> None:
    port = free_port()  # nothing listens there
    mailer = SmtpMailer(SmtpSettings("smtp", "127.0.0.1", port, timeout=5))
    with pytest.raises(DeliveryError, match=f"127.0.0.1:{port}") as info:
        mailer.send(message())
    assert info.value.permanent is False


def test_silent_server_times_out_as_temporary() -> None:
    with socket.socket() as listener:
        listener.bind(("127.0.0.1", 0))
        listener.listen(1)  # accepts the TCP handshake, never says hello
        port = listener.getsockname()[1]
        mailer = SmtpMailer(SmtpSettings("smtp", "127.0.0.1", port, timeout=0.3))
        with pytest.raises(DeliveryError, match="timed out") as info:
            mailer.send(message())
    assert info.value.permanent is False


@pytest.mark.parametrize(
    ("rcpt_reply", "data_reply", "permanent", "code"),
    [
        ("550 5.1.1 No such user here", "", True, "550"),
        ("451 4.3.0 Try again later", "", False, "451"),
        ("", "554 5.6.0 Message rejected", True, "554"),
        ("", "452 4.3.1 Insufficient storage", False, "452"),
    ],
)
def test_server_replies_map_to_permanent_or_temporary(
    rcpt_reply: str, data_reply: str, permanent: bool, code: str
) -> None:
    handler = Recorder(rcpt_reply=rcpt_reply, data_reply=data_reply)
    with smtp_server(handler) as server, SmtpMailer(settings_for(server)) as mailer:
        with pytest.raises(DeliveryError) as info:
            mailer.send(message())
        assert info.value.permanent is permanent
        assert code in str(info.value) and f"127.0.0.1:{server.port}" in str(info.value)
        # The mailer is still usable after a refusal.
        handler.rcpt_reply = handler.data_reply = ""
        mailer.send(message())
    assert len(handler.received) == 1


def _authenticator(server, session, envelope, mechanism, auth_data):  # type: ignore[no-untyped-def]
    ok = isinstance(auth_data, LoginPassword) and (auth_data.login, auth_data.password) == (
        b"digest@litwatch.example",
        b"p@ss:w/rd",
    )
    return AuthResult(success=ok, handled=False)  # False: the server sends the 535 itself


def test_auth_with_percent_encoded_credentials() -> None:
    handler = Recorder()
    with smtp_server(handler, authenticator=_authenticator, auth_require_tls=False) as server:
        url = f"smtp://digest%40litwatch.example:p%40ss%3Aw%2Frd@127.0.0.1:{server.port}"
        with SmtpMailer(parse_smtp_url(url)) as mailer:
            mailer.send(message())
    assert len(handler.received) == 1


def test_rejected_credentials_are_permanent() -> None:
    handler = Recorder()
    with smtp_server(handler, authenticator=_authenticator, auth_require_tls=False) as server:
        mailer = SmtpMailer(settings_for(server, username="digest@litwatch.example", password="no"))
        with pytest.raises(DeliveryError, match="rejected the credentials: 535") as info:
            mailer.send(message())
    assert info.value.permanent is True
    assert "no" not in str(info.value).split(":", 1)[1].split()  # the password is not echoed
    assert handler.received == []


def test_starttls_required_but_not_offered_is_refused() -> None:
    handler = Recorder()
    with smtp_server(handler) as server:
        mailer = SmtpMailer(settings_for(server, starttls="required"))
        with pytest.raises(DeliveryError, match="STARTTLS is required"):
            mailer.send(message())
    assert handler.received == []


@pytest.fixture(scope="module")
def certificate(tmp_path_factory: pytest.TempPathFactory) -> tuple[Path, Path]:
    """A self-signed certificate for 127.0.0.1 (needs the openssl command)."""
    if shutil.which("openssl") is None:
        pytest.skip("openssl is not installed")
    where = tmp_path_factory.mktemp("tls")
    cert, key = where / "cert.pem", where / "key.pem"
    subprocess.run(
        ["openssl", "req", "-x509", "-newkey", "rsa:2048", "-nodes", "-days", "1",
         "-keyout", str(key), "-out", str(cert), "-subj", "/CN=127.0.0.1",
         "-addext", "subjectAltName=IP:127.0.0.1"],
        check=True, capture_output=True,
    )  # fmt: skip
    return cert, key


def _contexts(certificate: tuple[Path, Path]) -> tuple[ssl.SSLContext, ssl.SSLContext]:
    cert, key = certificate
    server = ssl.create_default_context(ssl.Purpose.CLIENT_AUTH)
    server.load_cert_chain(cert, key)
    client = ssl.create_default_context(cafile=str(cert))
    return server, client


def test_starttls_when_offered(certificate: tuple[Path, Path]) -> None:
    server_ctx, client_ctx = _contexts(certificate)
    handler = Recorder()
    # The server refuses mail before STARTTLS, so a delivery proves the upgrade happened.
    with smtp_server(handler, tls_context=server_ctx, require_starttls=True) as server:
        with SmtpMailer(settings_for(server), ssl_context=client_ctx) as mailer:
            mailer.send(message())
        plain = SmtpMailer(settings_for(server, starttls="never"))
        with pytest.raises(DeliveryError, match="530") as info:
            plain.send(message())
        assert info.value.permanent is True
    assert len(handler.received) == 1


def test_smtps(certificate: tuple[Path, Path]) -> None:
    server_ctx, client_ctx = _contexts(certificate)
    handler = Recorder()
    with smtp_server(handler, ssl_context=server_ctx) as server:
        with SmtpMailer(settings_for(server, scheme="smtps"), ssl_context=client_ctx) as mailer:
            mailer.send(message())
        # An untrusted certificate is a TLS failure, left for a later retry.
        with pytest.raises(DeliveryError, match="TLS failed") as info:
            SmtpMailer(settings_for(server, scheme="smtps")).send(message())
        assert info.value.permanent is False
    assert len(handler.received) == 1


# --- settings ----------------------------------------------------------------------------


@pytest.mark.parametrize(
    ("url", "expected"),
    [
        ("smtp://mail.example.org", ("smtp", "mail.example.org", 25, "", "", "auto")),
        ("smtps://mail.example.org", ("smtps", "mail.example.org", 465, "", "", "auto")),
        (
            "smtp://u%40x.org:p%40ss%2F@mail.example.org:587?starttls=required",
            ("smtp", "mail.example.org", 587, "u@x.org", "p@ss/", "required"),
        ),
        ("SMTP://[::1]:2525?starttls=never", ("smtp", "::1", 2525, "", "", "never")),
    ],
)
def test_parse_smtp_url(url: str, expected: tuple[object, ...]) -> None:
    s = parse_smtp_url(url)
    assert (s.scheme, s.host, s.port, s.username, s.password, s.starttls) == expected


def test_parse_smtp_url_options() -> None:
    s = parse_smtp_url("smtp://h?timeout=2.5&max_per_connection=10")
    assert (s.timeout, s.max_per_connection) == (2.5, 10)
    assert "secret" not in repr(parse_smtp_url("smtp://u:secret@h"))


@pytest.mark.parametrize(
    "url",
    [
        "http://mail.example.org",
        "smtp://",
        "smtp://u:secret@h:notaport",
        "smtp://h:99999",
        "smtp://h?starttls=maybe",
        "smtp://h?tls=yes",
        "smtp://h?timeout=soon",
        "smtp://h?timeout=0",
        "smtps://h?starttls=required",
    ],
)
def test_bad_smtp_url_names_the_setting(url: str) -> None:
    with pytest.raises(ConfigError, match="LITWATCH_SMTP_URL") as info:
        parse_smtp_url(url)
    assert "secret" not in str(info.value)


# --- outbox ------------------------------------------------------------------------------


def test_outbox_writes_eml_that_parses_back(tmp_path: Path) -> None:
    outbox = tmp_path / "var" / "outbox"
    mailer = OutboxMailer(outbox, clock=lambda: datetime(2026, 11, 18, 6, 0, 1, tzinfo=UTC))
    first, second = message(), message()
    path = mailer.send(first)
    other = mailer.send(second)
    assert path.parent == outbox and path.suffix == ".eml" and path != other
    assert path.name.startswith("20261118T060001000000Z-")
    assert all(c.isalnum() or c in "._-" for c in path.name)
    assert sorted(p.name for p in outbox.iterdir()) == sorted([path.name, other.name])
    got = email.message_from_bytes(path.read_bytes(), policy=email.policy.default)
    assert got["Message-ID"] == first["Message-ID"]
    assert got.get_body(("html",)).get_content() == first.get_body(("html",)).get_content()  # type: ignore[union-attr]


def test_outbox_that_cannot_be_written_is_a_temporary_failure(tmp_path: Path) -> None:
    blocker = tmp_path / "outbox"
    blocker.write_text("a file where the directory should be")
    with pytest.raises(DeliveryError, match="could not write") as info:
        OutboxMailer(blocker).send(message())
    assert info.value.permanent is False


def test_make_mailer_chooses_by_setting(tmp_path: Path) -> None:
    assert isinstance(make_mailer(None, tmp_path), OutboxMailer)
    assert isinstance(make_mailer("  ", tmp_path), OutboxMailer)
    smtp = make_mailer("smtp://127.0.0.1:2525", tmp_path)
    assert isinstance(smtp, SmtpMailer) and smtp.settings.port == 2525


def test_message_without_recipients_is_permanent() -> None:
    handler = Recorder()
    msg = message()
    del msg["To"]
    with smtp_server(handler) as server, SmtpMailer(settings_for(server)) as mailer:
        with pytest.raises(DeliveryError, match="names none") as info:
            mailer.send(msg)
    assert info.value.permanent is True
