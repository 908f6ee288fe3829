"""The one Jinja environment: templates under ``litwatch/templates``, autoescaped HTML.

Emails and web pages share it, so the same filters render PubMed markup the same way
everywhere. HTML and XML templates are autoescaped; ``.txt`` templates are not, and use the
``plain`` filter for text that holds markup.
"""

from __future__ import annotations

import html
from collections.abc import Iterable
from datetime import UTC, date, datetime
from importlib.util import find_spec
from pathlib import Path
from typing import Any
from zoneinfo import ZoneInfo, ZoneInfoNotFoundError

import jinja2
from markupsafe import Markup

from litwatch.errors import ConfigError
from litwatch.pubmed.markup import to_plain, to_safe_markup
from litwatch.records import REVIEW_THRESHOLD


def templates_dir() -> Path:
    """The folder of the shipped templates: the top-level ``templates/`` of the checkout, which
    the wheel installs as the data-only package ``litwatch.templates``."""
    spec = find_spec("litwatch.templates")
    if spec is None or not spec.submodule_search_locations:
        raise ConfigError("the templates are not installed with litwatch (litwatch.templates)")
    return Path(next(iter(spec.submodule_search_locations)))


def make_environment(folder: Path | None = None) -> jinja2.Environment:
    """A fresh environment loading from the package's templates (or ``folder``)."""
    env = jinja2.Environment(
        loader=jinja2.FileSystemLoader(folder or templates_dir()),
        autoescape=jinja2.select_autoescape(enabled_extensions=("html", "htm", "xml")),
        # A misspelt variable should fail loudly, never print an empty string in an email.
        undefined=jinja2.StrictUndefined,
        trim_blocks=True,
        lstrip_blocks=True,
        keep_trailing_newline=True,
    )
    env.filters["markup"] = safe_markup
    env.filters["plain"] = plain
    env.filters["localdate"] = localdate
    env.filters["localdatetime"] = localdatetime
    env.filters["segments"] = segments
    # "needs review" below this confidence, in every email and page alike.
    env.globals["review_threshold"] = REVIEW_THRESHOLD
    return env


def safe_markup(value: Any) -> Markup:
    """Safe markup (i/b/sup/sub/u kept, all else escaped) ready to insert in HTML.

    Record fields should already hold safe markup, but a template cannot know where a value
    came from, so sanitise again: unescape once, then keep only the allowed tags. For safe
    markup this is a no-op; for anything else it still cannot let a tag through.
    """
    if value is None:
        return Markup("")
    return Markup(to_safe_markup(html.unescape(str(value))))


def plain(value: Any) -> str:
    """Plain text of safe markup: tags dropped, entities decoded (autoescape re-escapes)."""
    if value is None:
        return ""
    # Sanitised first, like ``markup``, so a raw "<tag>" in a field reads as text, not vanishes.
    return to_plain(to_safe_markup(html.unescape(str(value))))


def zone(name: str) -> ZoneInfo:
    """The named IANA timezone, or ConfigError naming LITWATCH_TIMEZONE."""
    try:
        return ZoneInfo(name)
    except (ZoneInfoNotFoundError, ValueError) as exc:
        raise ConfigError(f"LITWATCH_TIMEZONE: unknown timezone {name!r}") from exc


def _in_zone(value: datetime, tz: str) -> datetime:
    # Inside, datetimes are UTC; a naive one is taken to be UTC rather than local time.
    if value.tzinfo is None:
        value = value.replace(tzinfo=UTC)
    return value.astimezone(zone(tz))


def localdate(value: date | datetime | None, tz: str = "UTC") -> str:
    """'17 Nov 2026': a date as is, a datetime on its calendar day in ``tz``."""
    if value is None:
        return ""
    if isinstance(value, datetime):
        value = _in_zone(value, tz).date()
    return f"{value.day} {value:%b %Y}"


def localdatetime(value: datetime | None, tz: str = "UTC") -> str:
    """'17 Nov 2026 07:00 CET': a datetime shown in ``tz``."""
    if value is None:
        return ""
    local = _in_zone(value, tz)
    return f"{local.day} {local:%b %Y %H:%M} {local.tzname()}"


def segments(text: str, spans: Iterable[tuple[int, int]] = ()) -> list[tuple[str, bool]]:
    """Cut ``text`` into (piece, matched) runs so a template can highlight the matched spans.

    Spans are clipped to the text, sorted and merged; the template decides how a match looks,
    so no markup is built here.
    """
    clean = sorted(
        (max(0, s), min(len(text), e)) for s, e in spans if min(len(text), e) > max(0, s)
    )
    merged: list[tuple[int, int]] = []
    for start, end in clean:
        if merged and start <= merged[-1][1]:
            merged[-1] = (merged[-1][0], max(end, merged[-1][1]))
        else:
            merged.append((start, end))
    out: list[tuple[str, bool]] = []
    pos = 0
    for start, end in merged:
        if start > pos:
            out.append((text[pos:start], False))
        out.append((text[start:end], True))
        pos = end
    if pos < len(text) or not out:
        out.append((text[pos:], False))
    return out
