"""A saved query taken apart into its top-level blocks, for the recall audit.

A search written for a topic is usually two blocks joined by AND, one naming the drug and one
naming the disease (see ``litwatch.default_search``). The recall audit runs the **broader
query**: the saved query without the blocks that name the drug. The rule:

1. Split the query at the AND and NOT operators outside any parentheses or quotes (a query
   wrapped whole in one pair of parentheses is unwrapped first). A top-level OR cannot be
   split: the query is then one block.
2. Drop every block joined by AND (or the first block) that names a drug term: one of its
   terms holds, word for word, one of ``drug_terms`` ("Rituximab"[mh] names "rituximab").
   Blocks joined by NOT are exclusions and stay, so both queries exclude the same records.
3. What is left must still name the condition (one of ``condition_terms``) in a block joined
   by AND; those blocks, and the kept NOT blocks, joined again, are the broader query.

When no block can be dropped, or nothing naming the condition is left, the query has no
separable disease block and ``QueryError`` says which. Pure text work; no request is made.
"""

from __future__ import annotations

import re
from collections.abc import Iterable, Sequence
from dataclasses import dataclass

from litwatch.errors import QueryError
from litwatch.eutils.query_check import check_query

__all__ = ["Block", "BroaderQuery", "QueryTerm", "broader_query", "query_terms", "split_blocks"]

_WORD = re.compile(r"[^\W_]+")
# A quoted phrase or a bare word, then an optional field tag.
_TERM = re.compile(r'(?:"(?P<phrase>[^"]*)"|(?P<word>[^\s()"\[\]]+))\s*(?:\[(?P<tag>[^\]]*)\])?')
_OPERATORS = frozenset({"AND", "OR", "NOT"})
# Tags whose terms are matched against the title and abstract words (or every field).
_TEXT_TAGS = frozenset(
    {"", "tiab", "title/abstract", "ti", "title", "ab", "abstract", "tw", "text word"}
    | {"text words", "all", "all fields"}
)


@dataclass(frozen=True, slots=True)
class Block:
    """One top-level part of a query, and the operator that joins it to the part before."""

    join: str  # "" for the first block, else "AND" or "NOT"
    text: str


@dataclass(frozen=True, slots=True)
class QueryTerm:
    """A term of a query as written, with its field tag (lower case, "" when untagged)."""

    text: str
    tag: str

    @property
    def words(self) -> tuple[str, ...]:
        return words_of(self.text.rstrip("*"))

    @property
    def searches_text(self) -> bool:
        """Whether PubMed matches this term against the words of the title and abstract."""
        return self.tag.split(":")[0].strip() in _TEXT_TAGS


@dataclass(frozen=True, slots=True)
class BroaderQuery:
    """The broader query of a saved query, and the blocks left out to make it."""

    query: str
    kept: tuple[Block, ...]
    dropped: tuple[Block, ...]


def words_of(text: str) -> tuple[str, ...]:
    """Lower-case words and numbers of a text; hyphens, commas and spaces only separate."""
    return tuple(_WORD.findall(text.lower()))


def _contains(words: Sequence[str], part: Sequence[str]) -> bool:
    """Whether ``part`` occurs in ``words`` as a run of consecutive words."""
    n = len(part)
    return n > 0 and any(tuple(words[i : i + n]) == tuple(part) for i in range(len(words) - n + 1))


def _unwrap(text: str) -> str:
    """The text without parentheses around all of it: "((a) AND (b))" -> "(a) AND (b)"."""
    while text.startswith("(") and text.endswith(")"):
        depth = 0
        for i, ch in enumerate(text):
            depth += ch == "("
            depth -= ch == ")"
            if depth == 0 and i < len(text) - 1:
                return text  # the first "(" closes before the end: "(a) AND (b)"
        text = text[1:-1].strip()
    return text


def split_blocks(query: str) -> list[Block]:
    """The blocks of a well-formed query joined at top level by AND or NOT (see the module).

    A query holding a top-level OR comes back as one block: its parts cannot be dropped
    one at a time without changing what the rest means."""
    text = _unwrap(check_query(query))
    blocks: list[Block] = []
    depth, start, join = 0, 0, ""
    i = 0
    while i < len(text):
        ch = text[i]
        if ch == '"':
            i = text.index('"', i + 1) + 1
            continue
        if ch == "[":
            i = text.index("]", i + 1) + 1
            continue
        depth += ch == "("
        depth -= ch == ")"
        word = re.match(r"(AND|OR|NOT)(?=[\s(\"])", text[i:]) if depth == 0 else None
        if word and (i == 0 or text[i - 1].isspace() or text[i - 1] == ")"):
            op = word.group(1)
            if op == "OR":
                return [Block("", text)]
            blocks.append(Block(join, text[start:i].strip()))
            join, start = op, i + len(op)
            i += len(op)
            continue
        i += 1
    blocks.append(Block(join, text[start:].strip()))
    return blocks


def query_terms(query: str) -> list[QueryTerm]:
    """Every term of a query (quoted phrase or word) with its field tag; operators left out."""
    out = []
    for m in _TERM.finditer(query):
        text = m.group("phrase") if m.group("phrase") is not None else m.group("word")
        if text in _OPERATORS and m.group("phrase") is None:
            continue
        out.append(QueryTerm(text, " ".join((m.group("tag") or "").lower().split())))
    return out


def names_any(block_text: str, terms: Iterable[str]) -> bool:
    """Whether a term of the block holds one of ``terms`` word for word."""
    wanted = [words_of(t) for t in terms]
    return any(_contains(qt.words, w) for qt in query_terms(block_text) for w in wanted if w)


def broader_query(
    query: str, drug_terms: Sequence[str], condition_terms: Sequence[str]
) -> BroaderQuery:
    """The saved query without its drug blocks (the rule is in the module docstring)."""
    blocks = split_blocks(query)
    if len(blocks) == 1:
        raise QueryError(
            "the query has no separable disease block: it is not blocks joined by AND "
            "(write it as (drug terms) AND (disease terms))"
        )
    kept: list[Block] = []
    dropped: list[Block] = []
    for block in blocks:
        if block.join != "NOT" and names_any(block.text, drug_terms):
            dropped.append(block)
        else:
            kept.append(block)
    if not dropped:
        raise QueryError(
            "the query has no separable disease block: no block joined by AND names the drug"
        )
    positive = [b for b in kept if b.join != "NOT"]
    if not any(names_any(b.text, condition_terms) for b in positive):
        raise QueryError(
            "the query has no separable disease block: once the drug blocks are left out, no "
            "block names the disease"
        )
    parts = [_grouped(positive[0].text)]
    parts += [f"{b.join or 'AND'} {_grouped(b.text)}" for b in kept if b is not positive[0]]
    return BroaderQuery(" ".join(parts), tuple(kept), tuple(dropped))


def _grouped(text: str) -> str:
    """A block in parentheses unless it already is one group or a single term."""
    if _unwrap(text) != text or len(query_terms(text)) == 1:
        return text
    return f"({text})"
