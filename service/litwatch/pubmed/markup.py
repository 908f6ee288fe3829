"""Safe markup: PubMed's inline tags kept, everything else escaped.

PubMed text carries a few inline elements that mean something (a gene name in italics, a
chemical formula with subscripts). We keep exactly ``<i> <b> <sup> <sub> <u>`` as bare tags
and HTML-escape every other character, so a template may mark the result safe. Escaping
covers ``&``, ``<`` and ``>`` (not quotes): safe markup is meant for element content; put
``to_plain`` output, autoescaped, into attributes.
"""

from __future__ import annotations

import html
import re

#: The inline tags that survive, in the order PubMed's DTD lists them.
INLINE_TAGS = frozenset({"i", "b", "sup", "sub", "u"})

# An allowed tag, opening or closing, possibly with attributes (which are dropped) or written
# self-closing (which means nothing and is dropped). Anything else shaped like a tag is text.
_TAG = re.compile(r"<(/?)(sup|sub|i|b|u)(?:\s[^<>]*?)?(/?)>", re.IGNORECASE)
_ANY_TAG = re.compile(r"<[^<>]*>")
_SPACE = re.compile(r"\s+")


def escape_text(text: str) -> str:
    """Escape ``&``, ``<`` and ``>`` in text that holds no markup."""
    # Same result as html.escape(text, quote=False); most PubMed strings need no change, and
    # the membership tests make that case cheap on the parser's hot path.
    if "&" in text:
        text = text.replace("&", "&amp;")
    if "<" in text:
        text = text.replace("<", "&lt;")
    if ">" in text:
        text = text.replace(">", "&gt;")
    return text


def to_safe_markup(raw: str) -> str:
    """Keep bare i/b/sup/sub/u tags from ``raw``, escape the rest, and balance the tags.

    ``raw`` is text as it comes out of PubMed XML: inline tags written literally, and any
    ``<`` or ``&`` that belongs to the text written as itself. A closing tag with no opener
    is dropped; tags still open at the end (or crossing another) are closed.
    """
    out: list[str] = []
    stack: list[str] = []
    pos = 0
    for match in _TAG.finditer(raw):
        out.append(escape_text(raw[pos : match.start()]))
        pos = match.end()
        closing, name, self_closing = match.group(1), match.group(2).lower(), match.group(3)
        if self_closing:
            continue
        if not closing:
            stack.append(name)
            out.append(f"<{name}>")
        elif name in stack:
            # Close whatever was opened inside it, so the output always nests properly.
            while stack:
                inner = stack.pop()
                out.append(f"</{inner}>")
                if inner == name:
                    break
    out.append(escape_text(raw[pos:]))
    out.extend(f"</{name}>" for name in reversed(stack))
    return "".join(out)


def to_plain(markup: str) -> str:
    """Safe markup to plain text: tags removed, entities unescaped, whitespace collapsed."""
    if "<" not in markup and "&" not in markup:  # most text holds no markup at all
        if "  " not in markup and markup.isprintable():
            return markup.strip()  # nor any space but single " " (isprintable: no \n, \t, ...)
        return " ".join(markup.split())
    text = html.unescape(_ANY_TAG.sub("", markup))
    return _SPACE.sub(" ", text).strip()


def collapse_space(markup: str) -> str:
    """Runs of whitespace to one space, ends trimmed (tags hold no whitespace)."""
    return " ".join(markup.split())
