"""An element's content as text, the way every field converter reads it.

``markup_of`` keeps the inline tags PubMed allows (and escapes the rest) and is the hot path
of parsing: most elements hold text only, which is escaped straight from ``.text``.
"""

from __future__ import annotations

from typing import Any

from litwatch.pubmed.markup import INLINE_TAGS, escape_text


def markup_of(el: Any) -> str:
    """Content of ``el`` as safe markup: inline tags kept, other elements reduced to text."""
    if len(el):
        parts: list[str] = []
        _walk(el, parts)
        return " ".join("".join(parts).split())
    text = el.text
    if not text:
        return ""
    # " ".join(text.split()) allocates a string per word; skip it when it would change
    # nothing. A printable str holds no whitespace but the plain space (every other
    # character str.split() splits on is unprintable), so only "  " and the ends remain.
    if not text.isprintable() or "  " in text or text[0] == " " or text[-1] == " ":
        text = " ".join(text.split())
    if "&" in text or "<" in text or ">" in text:
        return escape_text(text)
    return text


def _walk(el: Any, parts: list[str]) -> None:
    if el.text:
        parts.append(escape_text(el.text))
    for child in el:
        tag = child.tag
        if tag in INLINE_TAGS:
            parts.append(f"<{tag}>")
            _walk(child, parts)
            parts.append(f"</{tag}>")
        elif isinstance(tag, str):  # mml:math and friends: their text only
            _walk(child, parts)
        if child.tail:
            parts.append(escape_text(child.tail))


def plain_of(el: Any) -> str:
    """Text of an element that holds no markup (identifiers, codes, dates), trimmed."""
    text = el.text
    return text.strip() if text else ""


def markup_list(parent: Any, tag: str) -> list[str]:
    """Safe markup of each ``tag`` child of ``parent``."""
    return [markup_of(child) for child in parent if child.tag == tag]
