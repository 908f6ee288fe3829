"""The classifier's regular expressions, compiled so Python's engine reads them quickly.

Every classifier pattern is compiled with ASCII classes: ``\\w``, ``\\b`` and ``\\d`` then
need no Unicode table lookups, which made classification about 15 % faster. Text reaches the
patterns through ``sentences.plain``, which has already turned every kind of space into " ", so
the only differences are at letters and digits outside ASCII: "naïve" reads as the words
"na" and "ve". No cue word is written with such letters. (Term matching, in
``terms.TermMatcher``, keeps Unicode words.)

A pattern such as ``\\b(?:improv\\w*|benefi\\w*|ameliorat\\w*|...)`` is tried at every word
boundary, and there the engine enters each alternative in turn. When the alternatives are
grouped under their first letter, ``\\b(?:i(?:mprov\\w*)|b(?:enefi\\w*)|a(?:meliorat\\w*))``,
the engine turns a branch away after one character comparison, so it tries only the few
alternatives that can match. The language matched is the same: alternatives that start
with different letters never match at the same place, and those sharing a letter keep
their order.
"""

from __future__ import annotations

import re


def pattern(source: str, flags: int = 0) -> re.Pattern[str]:
    """A classifier pattern: ``re.compile`` with ASCII classes."""
    return re.compile(source, flags | re.ASCII)


def split_alternatives(source: str) -> list[str]:
    """The top-level alternatives of a regex source ('a|b(?:c|d)' -> ['a', 'b(?:c|d)'])."""
    parts: list[str] = []
    depth, start, i, in_class = 0, 0, 0, False
    while i < len(source):
        c = source[i]
        if c == "\\":
            i += 2
            continue
        if in_class:
            in_class = c != "]"
        elif c == "[":
            in_class = True
            if source[i + 1 : i + 2] == "]":
                i += 1  # "[]...]": a leading "]" is a member of the class
        elif c == "(":
            depth += 1
        elif c == ")":
            depth -= 1
        elif c == "|" and depth == 0:
            parts.append(source[start:i])
            start = i + 1
        i += 1
    parts.append(source[start:])
    return parts


def by_first_letter(alternatives: list[str], tag: bool = False) -> str:
    """The alternatives as one group, each under its first character; every alternative must
    open with a literal letter or digit. With ``tag`` each alternative ends in an empty
    group named ``t<n>``, n its place in the list given."""
    groups: dict[str, list[tuple[int, str]]] = {}
    for n, alternative in enumerate(alternatives):
        first = alternative[:1]
        if not first.isalnum() or alternative[1:2] in ("?", "*", "+", "{"):
            raise ValueError(f"alternative does not open with a literal letter: {alternative!r}")
        groups.setdefault(first, []).append((n, alternative[1:]))
    # Groups are numbered by where they stand in the pattern, which the grouping reorders;
    # a name carries the alternative's place in the list instead.
    body = "|".join(
        first + "(?:" + "|".join(rest + (f"(?P<t{n}>)" if tag else "") for n, rest in members) + ")"
        for first, members in groups.items()
    )
    return f"(?:{body})"


def words(alternatives: str, *, end: bool = True, flags: int = 0) -> re.Pattern[str]:
    """``\\b(?:alternatives)\\b`` (``end=False``: no closing boundary), grouped by first letter."""
    closing = r"\b" if end else ""
    return pattern(rf"\b{by_first_letter(split_alternatives(alternatives))}{closing}", flags)


def tagged_words(families: dict[str, list[str]]) -> tuple[re.Pattern[str], dict[str, str]]:
    """One pattern for several families of alternatives (each closed by a word boundary),
    and the family each tag group stands for: ``tags[match.lastgroup]``."""
    alternatives: list[str] = []
    tags: dict[str, str] = {}
    for family, members in families.items():
        for member in members:
            tags[f"t{len(alternatives)}"] = family
            alternatives.append(member + r"\b")
    return pattern(rf"\b{by_first_letter(alternatives, tag=True)}"), tags
