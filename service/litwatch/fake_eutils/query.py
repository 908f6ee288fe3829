"""A subset of the PubMed query language: parse a term into a tree, match it against a record.

Supported: bare words, quoted phrases, a trailing ``*`` wildcard, field tags (``[tiab]``,
``[ti]``, ``[ab]``, ``[mh]``, ``[majr]``, ``[pt]``, ``[la]``, ``[tw]``, ``[au]``, ``[ta]``,
``[si]``, ``[uid]``, ``[All Fields]`` and their long names), date ranges such as
``2026/11/17:2026/11/24[crdt]`` on ``[dp]``, ``[crdt]``, ``[edat]``, ``[mdat]``, and the
Boolean operators AND, OR, NOT with parentheses.

Matching a parsed query against a record is ``litwatch.fake_eutils.matching``'s job.

Like PubMed, operators bind left to right with no precedence (``a OR b AND c`` is
``(a OR b) AND c``), adjacent terms are joined by AND, and only upper-case operators are
operators: a lower-case ``and``/``or``/``not`` is a stopword and dropped.
"""

from __future__ import annotations

import calendar
import re
from dataclasses import dataclass
from datetime import date

from litwatch.fake_eutils.query_fields import DATE_FIELDS, FIELD_LABELS, FIELD_TAGS

__all__ = ["BoolOp", "DateRange", "Node", "QuerySyntax", "Term", "normalize", "parse", "translate"]


class QuerySyntax(ValueError):
    """The query cannot be parsed (unbalanced parenthesis, dangling operator, bad tag)."""


_STOPWORDS = frozenset({"and", "or", "not"})
_NON_WORD = re.compile(r"[\W_]+")


def normalize(text: str) -> str:
    """Lower-case ``text`` and turn every run of non-word characters into one space."""
    return _NON_WORD.sub(" ", text.lower()).strip()


@dataclass(frozen=True, slots=True)
class Term:
    """A word, phrase or prefix searched in one field."""

    text: str  # as written, without quotes or the trailing '*'
    field: str = "all"
    phrase: bool = False
    wildcard: bool = False

    @property
    def key(self) -> str:
        """The normalized form used for matching."""
        return normalize(self.text)


@dataclass(frozen=True, slots=True)
class DateRange:
    """An inclusive range of days on one date field."""

    field: str
    start: date
    end: date
    text: str = ""


@dataclass(frozen=True, slots=True)
class BoolOp:
    op: str  # AND | OR | NOT
    left: Node
    right: Node


Node = Term | DateRange | BoolOp


# --- tokenizer -------------------------------------------------------------------------------

_TOKEN = re.compile(
    r"""\s*(?:
        (?P<lp>\() | (?P<rp>\)) |
        "(?P<phrase>[^"]*)"(?P<pstar>\*)? |
        (?P<word>[^\s()"\[\]]+)
    )(?:\s*\[(?P<tag>[^\]]*)\])?""",
    re.VERBOSE,
)


def _tokens(query: str) -> list[tuple[str, str, str | None]]:
    """Split ``query`` into (kind, text, tag) tuples; kind is lp, rp, op, phrase or word."""
    out: list[tuple[str, str, str | None]] = []
    pos = 0
    query = query.rstrip()
    while pos < len(query):
        m = _TOKEN.match(query, pos)
        if not m or m.end() == pos:
            raise QuerySyntax(f"unexpected character at position {pos}: {query[pos : pos + 10]!r}")
        tag = m.group("tag")
        if m.group("lp") or m.group("rp"):
            if tag is not None:
                raise QuerySyntax(f"field tag [{tag}] after a parenthesis at position {pos}")
            out.append(("lp" if m.group("lp") else "rp", "", None))
        elif m.group("phrase") is not None:
            text = m.group("phrase") + ("*" if m.group("pstar") else "")
            out.append(("phrase", text, tag))
        else:
            word = m.group("word")
            if word in ("AND", "OR", "NOT") and tag is None:
                out.append(("op", word, None))
            elif word.lower() in _STOPWORDS and tag is None:
                pass
            else:
                out.append(("word", word, tag))
        pos = m.end()
        if "[" in query[pos : pos + 1] or "]" in query[pos : pos + 1]:
            raise QuerySyntax(f"unbalanced bracket at position {pos}")
    return _join_tagged_runs(out)


def _join_tagged_runs(
    tokens: list[tuple[str, str, str | None]],
) -> list[tuple[str, str, str | None]]:
    """``smith j[au]`` and ``systemic sclerosis[tiab]``: a tag covers the untagged words before
    it, as in PubMed, where they are searched as one phrase in that field."""
    out: list[tuple[str, str, str | None]] = []
    for kind, text, tag in tokens:
        if kind == "word" and tag is not None and _field_of(tag) not in DATE_FIELDS:
            run: list[str] = []
            while out and out[-1][0] == "word" and out[-1][2] is None and "*" not in out[-1][1]:
                run.insert(0, out.pop()[1])
            if run:
                out.append(("phrase", " ".join([*run, text]), tag))
                continue
        out.append((kind, text, tag))
    return out


# --- parser ----------------------------------------------------------------------------------


def _field_of(tag: str | None) -> str:
    if tag is None:
        return "all"
    name = FIELD_TAGS.get(" ".join(tag.lower().split()))
    if name is None:
        raise QuerySyntax(f"unknown field tag [{tag}]")
    return name


def _parse_day(text: str, *, end: bool) -> date:
    parts = re.split(r"[/\-.]", text.strip())
    if not parts or not all(p.isdigit() for p in parts) or len(parts) > 3:
        raise QuerySyntax(f"bad date {text!r}")
    year = int(parts[0])
    year = min(max(year, 1), 9999)
    month = int(parts[1]) if len(parts) > 1 else (12 if end else 1)
    if not 1 <= month <= 12:
        raise QuerySyntax(f"bad month in date {text!r}")
    last = calendar.monthrange(year, month)[1]
    day = int(parts[2]) if len(parts) > 2 else (last if end else 1)
    return date(year, month, min(max(day, 1), last))


def parse_date_range(text: str, field_name: str = "crdt") -> DateRange:
    """``2026/11/17:2026/11/24``, ``2026``, ``2026/11`` or one day, as an inclusive range."""
    start_text, _, end_text = text.partition(":")
    start = _parse_day(start_text, end=False)
    end = _parse_day(end_text or start_text, end=True)
    return DateRange(field_name, start, end, text)


def _make_term(kind: str, text: str, tag: str | None) -> Node:
    field_name = _field_of(tag)
    if field_name in DATE_FIELDS:
        return parse_date_range(text, field_name)
    wildcard = text.endswith("*")
    core = text.rstrip("*")
    if not normalize(core):
        raise QuerySyntax(f"empty term {text!r}")
    return Term(core, field_name, phrase=kind == "phrase", wildcard=wildcard)


def parse(query: str) -> Node:
    """Parse a PubMed query into a tree; raise ``QuerySyntax`` when it cannot be read."""
    tokens = _tokens(query)
    if not tokens:
        raise QuerySyntax("empty query")
    pos = 0

    def sequence(depth: int) -> Node:
        nonlocal pos
        node: Node | None = None
        pending: str | None = None
        while pos < len(tokens):
            kind, text, tag = tokens[pos]
            if kind == "rp":
                if depth == 0:
                    raise QuerySyntax("unbalanced parenthesis: ')' without '('")
                break
            pos += 1
            if kind == "op":
                if node is None or pending is not None:
                    raise QuerySyntax(f"operator {text} has no left-hand term")
                pending = text
                continue
            if kind == "lp":
                operand = sequence(depth + 1)
                if pos >= len(tokens) or tokens[pos][0] != "rp":
                    raise QuerySyntax("unbalanced parenthesis: '(' never closed")
                pos += 1
            else:
                operand = _make_term(kind, text, tag)
            node = operand if node is None else BoolOp(pending or "AND", node, operand)
            pending = None
        if pending is not None:
            raise QuerySyntax(f"operator {pending} has no right-hand term")
        if node is None:
            raise QuerySyntax("empty parentheses")
        return node

    tree = sequence(0)
    if pos != len(tokens):
        raise QuerySyntax("unbalanced parenthesis: ')' without '('")
    return tree


# --- translation (what esearch echoes in QueryTranslation) -----------------------------------


def translate(node: Node) -> str:
    """Write ``node`` back the way PubMed's QueryTranslation spells a query."""
    if isinstance(node, Term):
        text = node.text.lower() + ("*" if node.wildcard else "")
        return f'"{text}"[{FIELD_LABELS[node.field]}]'
    if isinstance(node, DateRange):
        s, e = node.start, node.end
        return f"{s:%Y/%m/%d}:{e:%Y/%m/%d}[{FIELD_LABELS[node.field]}]"
    left, right = translate(node.left), translate(node.right)
    if isinstance(node.left, BoolOp):
        left = f"({left})"
    if isinstance(node.right, BoolOp):
        right = f"({right})"
    return f"{left} {node.op} {right}"
