"""The MIME message of a digest: its rendered parts wrapped with the headers mail needs.

The parts and the Message-ID are decided once, when the digest is recorded; this only wraps
them, so every try of a digest sends the same message.
"""

from __future__ import annotations

import email.policy
from datetime import datetime
from email.message import EmailMessage
from email.utils import format_datetime, parseaddr
from typing import Protocol


class MessageParts(Protocol):
    """What a message carries: a rendered digest, or the parts kept with a recorded one."""

    @property
    def subject(self) -> str: ...

    @property
    def text(self) -> str: ...

    @property
    def html(self) -> str: ...

    @property
    def unsubscribe_url(self) -> str: ...


def message_id_domain(sender: str) -> str:
    """The domain of the sender's address, for Message-IDs (``localhost`` when it has none)."""
    return parseaddr(sender)[1].rpartition("@")[2] or "localhost"


def digest_message_id(digest_id: int, created: datetime, domain: str) -> str:
    """The Message-ID of a recorded digest: unique per digest and per database."""
    return f"<litwatch-digest-{digest_id}-{int(created.timestamp())}@{domain}>"


def build_message(
    parts: MessageParts,
    *,
    sender: str,
    to: str,
    message_id: str,
    now: datetime,
    list_unsubscribe_url: str | None = None,
    list_unsubscribe_mailto: str | None = None,
) -> EmailMessage:
    """multipart/alternative (text, then HTML) with Message-ID, Date and one-click unsubscribe."""
    # Long one-click URLs must stay plain "<https://...>" in List-Unsubscribe: the default
    # 78-column policy would fold them into encoded words that mail clients do not follow.
    msg = EmailMessage(policy=email.policy.default.clone(max_line_length=998))
    msg["Subject"] = parts.subject
    msg["From"] = sender
    msg["To"] = to
    msg["Date"] = format_datetime(now if now.tzinfo else now.astimezone())
    msg["Message-ID"] = message_id
    targets = [f"<{list_unsubscribe_url or parts.unsubscribe_url}>"]
    if list_unsubscribe_mailto:
        targets.append(f"<mailto:{list_unsubscribe_mailto}?subject=unsubscribe>")
    msg["List-Unsubscribe"] = ", ".join(targets)
    # RFC 8058: mail clients may unsubscribe with one POST, no page to click through.
    msg["List-Unsubscribe-Post"] = "List-Unsubscribe=One-Click"
    msg["Auto-Submitted"] = "auto-generated"
    msg.set_content(parts.text)
    msg.add_alternative(parts.html, subtype="html")
    return msg
