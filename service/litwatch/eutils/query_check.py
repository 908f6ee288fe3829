"""Check a saved search before it is stored: its query's syntax and its name.

PubMed answers a malformed term with a warning and a guess, or with nothing, so a saved search
with a typo fails (or silently finds the wrong records) at the next poll. ``check_query`` finds
the usual mistakes when the search is added or edited: unbalanced parentheses or quotes, an
unknown field tag, an AND/OR/NOT with no term on one side, a tag that follows no term, a term
with no letter or digit (``-``, ``""``). Each
``QueryError`` is one line naming what is wrong and the column where it is (1-based).

Only upper-case AND, OR and NOT are operators, as in PubMed. The field tags are PubMed's
(https://pubmed.ncbi.nlm.nih.gov/help/#search-tags), short and long names, with the
``:noexp`` and proximity (``[tiab:~3]``) forms.
"""

from __future__ import annotations

import re
from dataclasses import dataclass

from litwatch.errors import QueryError

__all__ = ["FIELD_TAGS", "check_query", "check_search_name"]

MAX_QUERY_LENGTH = 4000

# Short tags and long names as PubMed documents them (compared in lower case).
FIELD_TAGS: frozenset[str] = frozenset(
    {
        *("ad", "affiliation", "all", "all fields", "au", "author", "auid", "author identifier"),
        *("1au", "author - first", "lastau", "author - last", "fau", "author - full"),
        *("book", "cn", "corporate author", "cois", "conflict of interest statements"),
        *("crdt", "create date", "date - create", "dcom", "date - completion"),
        *("ec", "ed", "editor", "edat", "entrez date", "date - entry", "filter", "sb", "subset"),
        *("fir", "full investigator name", "ir", "investigator", "gr", "grant number"),
        *("ip", "issue", "isbn", "jour", "ta", "journal", "jid", "la", "language"),
        *("lid", "location id", "lr", "mdat", "date - modification", "majr"),
        *("mesh major topic", "mh", "mesh", "mesh terms", "mhda", "mesh date"),
        *("nm", "supplementary concept", "ot", "other term", "pa", "pharmacological action"),
        *("pg", "pagination", "ps", "personal name as subject", "pl", "place of publication"),
        *("pmid", "uid", "pt", "publication type", "pubn", "publisher", "rn", "ec/rn number"),
        *("si", "secondary source id", "sh", "subheading", "mesh subheading", "nlm uid"),
        *("tiab", "title/abstract", "ti", "title", "ab", "abstract", "tt"),
        *("transliterated title", "tw", "text word", "vi", "volume", "dp", "pdat"),
        *("publication date", "date - publication", "epdat", "electronic publication date"),
        *("ppdat", "print publication date", "dsso", "pmcid", "doi", "aid", "article identifier"),
        *("conflict of interest", "grants and funding", "text words", "text word"),
    }
)
_SUFFIX = re.compile(r"^(?P<base>.+?)(?::noexp|:~\d+)?$")
_SLUG = re.compile(r"^[a-z0-9]+(?:-[a-z0-9]+)*$")
_SLUG_CHARS = frozenset("abcdefghijklmnopqrstuvwxyz0123456789-")
OPERATORS = frozenset({"AND", "OR", "NOT"})


@dataclass(frozen=True, slots=True)
class _Token:
    kind: str  # "(" | ")" | "op" | "term" | "tag"
    text: str
    col: int  # 1-based


def check_search_name(name: str) -> str:
    """The name if it is a slug (lower-case letters, digits, single hyphens); else QueryError."""
    if not name:
        raise QueryError("the saved search needs a name")
    if len(name) > 100:
        raise QueryError(f"the name is {len(name)} characters long; at most 100")
    if not _SLUG.match(name):
        bad = next((i for i, c in enumerate(name) if c not in _SLUG_CHARS), None)
        where = (
            "a hyphen at an end or doubled" if bad is None else f"{name[bad]!r} at column {bad + 1}"
        )
        raise QueryError(
            f"the name {name!r} is not a slug ({where}): use lower-case letters, digits and "
            "single hyphens, e.g. rituximab-ssc"
        )
    return name


def check_query(query: str) -> str:
    """The query, stripped, if it is well formed; else QueryError naming the fault and column."""
    text = query.strip()
    if not text:
        raise QueryError("the query is empty")
    if len(text) > MAX_QUERY_LENGTH:
        raise QueryError(f"the query is {len(text)} characters long; at most {MAX_QUERY_LENGTH}")
    offset = len(query) - len(query.lstrip())
    _check_grammar(_tokens(text, offset))
    return text


def _tokens(text: str, offset: int) -> list[_Token]:
    out: list[_Token] = []
    i = 0
    while i < len(text):
        ch, col = text[i], i + 1 + offset
        if ch.isspace():
            i += 1
        elif ch in "()":
            out.append(_Token(ch, ch, col))
            i += 1
        elif ch == '"':
            end = text.find('"', i + 1)
            if end < 0:
                raise QueryError(f"the quote at column {col} is never closed")
            out.append(_Token("term", text[i : end + 1], col))
            i = end + 1
        elif ch == "[":
            end = text.find("]", i + 1)
            if end < 0:
                raise QueryError(f"the '[' at column {col} is never closed")
            out.append(_Token("tag", _known_tag(text[i + 1 : end], col), col))
            i = end + 1
        elif ch == "]":
            raise QueryError(f"the ']' at column {col} has no '[' before it")
        else:
            j = i
            while j < len(text) and not text[j].isspace() and text[j] not in '()"[]':
                j += 1
            word = text[i:j]
            out.append(_Token("op" if word in OPERATORS else "term", word, col))
            i = j
    return out


def _known_tag(inside: str, col: int) -> str:
    tag = " ".join(inside.lower().split())
    match = _SUFFIX.match(tag)
    if not tag or match is None or match.group("base") not in FIELD_TAGS:
        raise QueryError(
            f"unknown field tag [{inside}] at column {col} (e.g. [tiab], [mh], [pt], [au])"
        )
    return tag


def _check_grammar(tokens: list[_Token]) -> None:
    """Parentheses balanced, an operand on both sides of every operator, tags after terms."""
    opened: list[_Token] = []
    prev: _Token | None = None
    for tok in tokens:
        if tok.kind == "term" and not any(c.isalnum() for c in tok.text):
            raise QueryError(f"the term {tok.text} at column {tok.col} has no letter or digit")
        if tok.kind == "op" and (prev is None or prev.kind in ("(", "op")):
            raise QueryError(f"{tok.text} at column {tok.col} has no term before it")
        if tok.kind == ")":
            if not opened:
                raise QueryError(f"the ')' at column {tok.col} has no '(' before it")
            if prev is not None and prev.kind == "(":
                raise QueryError(f"the parentheses at column {prev.col} hold nothing")
            if prev is not None and prev.kind == "op":
                raise QueryError(f"{prev.text} at column {prev.col} has no term after it")
            opened.pop()
        if tok.kind == "tag" and (prev is None or prev.kind != "term"):
            raise QueryError(f"the field tag [{tok.text}] at column {tok.col} follows no term")
        if tok.kind == "(":
            opened.append(tok)
        prev = tok
    if prev is not None and prev.kind == "op":
        raise QueryError(f"{prev.text} at column {prev.col} has no term after it")
    if opened:
        raise QueryError(f"the '(' at column {opened[-1].col} is never closed")
