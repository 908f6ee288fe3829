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
from re import _constants as _const
from re import _parser
from typing import Any


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


# Pre-checks. Python's engine tries a pattern that opens with no literal text at every
# position of the text; a substring test (``in``) runs in C many times faster. So a pattern's
# *needed literals*, strings one of which every match holds, let a rule skip the scan when
# none is in the text, with the same result. They are read off the parsed pattern, so they
# follow the pattern whenever it is edited.
_EXACT_LIMIT = 32  # most strings kept while a part of a pattern is read as a finite set (more
# strings make rarer literals, now that shared parts keep many literals cheap to look for)

_Info = tuple[set[str] | None, set[str] | None]  # (every string the part matches, or None;
#                                                   needed literals of the part, or None)


def needed_literals(compiled: re.Pattern[str]) -> tuple[str, ...] | None:
    """Strings one of which every match of ``compiled`` holds, or None when none are known
    (a case-insensitive pattern, or one that can match without any literal text)."""
    found = _NEEDED.get(id(compiled))
    if found is not None and found[0] is compiled:
        return found[1]
    needs = _read_needed_literals(compiled)
    _NEEDED[id(compiled)] = (compiled, needs, None if needs is None else literal_groups(needs))
    return needs


def _read_needed_literals(compiled: re.Pattern[str]) -> tuple[str, ...] | None:
    needs: tuple[str, ...] | None = None
    if not compiled.flags & re.IGNORECASE:
        try:
            exact, factors = _seq(_parser.parse(compiled.pattern, compiled.flags))
            found_set = _as_factors(exact, factors)
        except (_CaseFolded, AttributeError, TypeError, ValueError):
            # A part that ignores case; or a parse tree of a shape this reading does not
            # know (re._parser is CPython's own): no pre-check, which is always correct.
            found_set = None
        if found_set:  # a literal that holds another adds nothing to the test
            needs = tuple(
                sorted(f for f in found_set if not any(g != f and g in f for g in found_set))
            )
    return needs


# Most needed literals a pattern has, several share a word ("inclusion criteria", "exclusion
# criteria", "eligibility criteria"). Each ``in`` that fails reads the whole text, so the
# shared part is looked for first, and the literals that hold it only when it is there: the
# answer is the same (a literal in the text puts its every part there too), for a fraction of
# the reading when, as in most texts, none is there. The literals under a shared part are
# grouped again in the same way. A part that opens or ends with a space (" the ") is in
# nearly every text and would spare nothing, so parts run from a character to a character.
_SHARED_SIZES = range(4, 13)  # lengths of the shared parts looked for

_Groups = tuple[tuple[str, "_Groups"], ...]  # (shared part, the groups of literals under it)


def literal_groups(needs: tuple[str, ...], within: str = "") -> _Groups:
    """The literals as a tree of shared parts, each part shared by two or more literals; a
    literal that shares none with the others stands as a leaf (itself, with nothing under
    it). ``within``: the part all of them share already, which no new part may lie in."""
    left = list(needs)
    groups: list[tuple[str, _Groups]] = []
    while len(left) > 1:
        counts: dict[str, int] = {}
        for literal in left:
            parts = {literal[i : i + n] for n in _SHARED_SIZES for i in range(len(literal) - n + 1)}
            for part in parts:
                if part not in within and part not in left and part.strip() == part:
                    counts[part] = counts.get(part, 0) + 1
        if within:  # a part all of them share would only group them again
            counts = {w: c for w, c in counts.items() if c < len(needs)}
        best = max(counts, key=lambda w: (counts[w], len(w)), default=None)
        if best is None or counts[best] < 2:
            break
        under = tuple(x for x in left if best in x)
        groups.append((best, literal_groups(under, best)))
        left = [x for x in left if best not in x]
    return tuple(groups) + tuple((literal, ()) for literal in left)


def _any_in(groups: _Groups, text: str) -> bool:
    for part, under in groups:
        if part in text and (not under or _any_in(under, text)):
            return True
    return False


def may_match(compiled: re.Pattern[str], text: str) -> bool:
    """False only when ``compiled`` cannot match anywhere in ``text`` (see needed_literals)."""
    found = _NEEDED.get(id(compiled))  # read here, not through needed_literals: it is hot
    if found is None or found[0] is not compiled:
        needed_literals(compiled)
        found = _NEEDED[id(compiled)]
    groups = found[2]
    return groups is None or _any_in(groups, text)


# id of a pattern -> (the pattern, its needed literals, those literals grouped by shared words)
_NEEDED: dict[int, tuple[re.Pattern[str], tuple[str, ...] | None, _Groups | None]] = {}


class _CaseFolded(Exception):
    """A part of the pattern ignores case: its literals say nothing."""


def _seq(items: _parser.SubPattern) -> _Info:
    """A sequence of parts: exact strings while they stay few, else the best literals."""
    current: set[str] | None = {""}
    best: set[str] | None = None
    whole = True
    for op, av in items:
        exact, factors = _item(op, av)
        if current is not None and exact is not None and len(current) * len(exact) <= _EXACT_LIMIT:
            current = {a + b for a in current for b in exact}
            continue
        whole = False
        best = _better(_better(best, _as_factors(current, None)), factors)
        current = exact
    if whole:
        return current, _as_factors(current, None)
    return None, _better(best, _as_factors(current, None))


def _as_factors(exact: set[str] | None, factors: set[str] | None) -> set[str] | None:
    if exact is not None:
        return None if "" in exact else set(exact)
    return factors


def _better(a: set[str] | None, b: set[str] | None) -> set[str] | None:
    """The cheaper test of two sets of needed literals: longer shortest literal, then fewer."""
    if a is None or b is None:
        return a if b is None else b

    def cost(s: set[str]) -> tuple[int, int]:  # a longer literal is a rarer one
        return (-min(min(map(len, s)), 8), len(s))

    return a if cost(a) <= cost(b) else b


def _item(op: object, av: Any) -> _Info:
    if op is _const.LITERAL:
        return {chr(av)}, None
    if op in (_const.AT, _const.ASSERT, _const.ASSERT_NOT):
        return {""}, None  # takes no text
    if op is _const.IN:
        chars: set[str] = set()
        for kind, value in av:
            if kind is _const.LITERAL:
                chars.add(chr(value))
            elif kind is _const.RANGE and value[1] - value[0] < 8:
                chars.update(chr(c) for c in range(value[0], value[1] + 1))
            else:
                return None, None
        return (chars, None) if len(chars) <= 8 else (None, None)
    if op is _const.SUBPATTERN:
        if av[1] & re.IGNORECASE:
            raise _CaseFolded
        return _seq(av[3])
    if op is _const.ATOMIC_GROUP:
        return _seq(av)
    if op is _const.BRANCH:
        return _branch(av[1])
    if op in (_const.MAX_REPEAT, _const.MIN_REPEAT, _const.POSSESSIVE_REPEAT):
        low, high, body = av
        exact, factors = _seq(body)
        if low == 0:
            return (exact | {""}, None) if high == 1 and exact is not None else (None, None)
        if low == high == 1:
            return exact, factors
        return None, _as_factors(exact, factors)
    return None, None  # any character, a class, a back-reference...


def _branch(alternatives: list[_parser.SubPattern]) -> _Info:
    infos = [_seq(alternative) for alternative in alternatives]
    exact: set[str] | None = None
    if all(e is not None for e, _f in infos):
        union = set().union(*(e for e, _f in infos if e is not None))
        exact = union if len(union) <= _EXACT_LIMIT else None
    factor_sets = [_as_factors(e, f) for e, f in infos]
    if any(f is None for f in factor_sets):
        return exact, None
    return exact, set().union(*(f for f in factor_sets if f is not None))
