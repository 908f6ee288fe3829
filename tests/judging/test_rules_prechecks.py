"""A pattern's needed literals: one of them is in every text the pattern matches anywhere in.

The rules skip a regex scan when ``may_match`` says no literal the pattern needs is in the
text, so a wrong literal would silently drop a match. These tests hold the reading of the
parsed pattern to what the engine itself finds, on every pattern of the rules.
"""

from __future__ import annotations

import importlib
import pkgutil
import re

import pytest
from hypothesis import given, settings
from hypothesis import strategies as st

import litwatch.judging.rules as rules
from litwatch.judging.gold import load_gold
from litwatch.judging.rules.patterns import may_match, needed_literals, pattern
from tests.helpers.paths import TEST_DATA


def _rule_patterns() -> list[tuple[str, re.Pattern[str]]]:
    """Every compiled pattern a rules module holds, alone or in a list, tuple or dict."""
    found: dict[int, tuple[str, re.Pattern[str]]] = {}
    for info in pkgutil.iter_modules(rules.__path__):
        module = importlib.import_module(f"litwatch.judging.rules.{info.name}")
        for name, value in vars(module).items():
            values = value.values() if isinstance(value, dict) else value
            items = values if isinstance(value, (list, tuple, dict)) else [value]
            for n, item in enumerate(items):
                if isinstance(item, re.Pattern) and isinstance(item.pattern, str):
                    found.setdefault(id(item), (f"{info.name}.{name}[{n}]", item))
    return sorted(found.values(), key=lambda pair: pair[0])


PATTERNS = _rule_patterns()


@pytest.fixture(scope="module")
def texts() -> list[str]:
    """Our gold and held-out abstracts, as written and lower-cased, and a few hard ones."""
    found = [
        "Rituximab (RTX, n = 12) vs. placebo: mRSS fell from 24.5 to 15.2 (p < 0.001).",
        "NCT01862926; EudraCT 2013-001234-56; jRCTs031180123. 72 rituximab-treated patients.",
        "infusion reactions occurred in 6 patients; 2 of whom had received rituximab.",
        "Background: Methods: the DESIRES trial. RESULTS: at 5 years, no change; naïve cells.",
    ]
    for name in ("gold.jsonl", "heldout.jsonl"):
        for record in load_gold(TEST_DATA / name):
            found += [record.title, record.abstract]
    return found + [t.lower() for t in found]


def test_the_rules_patterns_are_found() -> None:
    assert len(PATTERNS) > 50
    assert sum(needed_literals(p) is not None for _name, p in PATTERNS) > 40


@pytest.mark.parametrize(("name", "compiled"), PATTERNS, ids=[n for n, _p in PATTERNS])
def test_every_match_holds_a_needed_literal(
    name: str, compiled: re.Pattern[str], texts: list[str]
) -> None:
    needs = needed_literals(compiled)
    if needs is None:
        return
    assert all(needs), name
    for text in texts:
        for m in compiled.finditer(text):
            assert any(n in m.group(0) for n in needs), (name, m.group(0), needs)
        if compiled.search(text) is not None:
            assert may_match(compiled, text), (name, text)


@pytest.mark.parametrize(
    ("source", "flags", "expected"),
    [
        (r"\bcase series\b", 0, ("case series",)),
        (r"\b(?:randomi[sz]ed|placebo)\b", 0, ("placebo", "randomised", "randomized")),
        (r"\d+ patients?", 0, (" patient",)),
        (r"(?:weeks?|months?)\b", 0, ("month", "week")),  # "weeks" holds "week"
        (r"rituximab|\w+ab", 0, ("ab",)),  # both alternatives hold "ab"
        (r"rituximab|\w+", 0, None),  # one alternative needs no literal
        (r"p?", 0, None),
        (r"trial", re.IGNORECASE, None),
        (r"(?i:trial)", 0, None),
        (r"(?:ab){2,3}c", 0, ("ab",)),
    ],
)
def test_needed_literals_of_small_patterns(
    source: str, flags: int, expected: tuple[str, ...] | None
) -> None:
    assert needed_literals(pattern(source, flags)) == expected


_PIECES = ["a", "b", "c", "ab", " ", "-", "1", "x", "case", "series", "rtx", "%", "(", ")"]
_SMALL = [
    pattern(r"\b(?:ab|c)+ series\b"),
    pattern(r"(?<![\w.])(\d+|two) (?:[a-z-]+ ){0,2}rtx\b"),
    pattern(r"x(?:a|b(?:c|-))?case|series of (?:\d+ )?\("),
    pattern(r"(?:ca|se)(?:se|ri)+es?\b|%\)"),
]


@settings(max_examples=300, deadline=None)
@given(st.lists(st.sampled_from(_PIECES), max_size=14).map("".join))
def test_may_match_is_never_wrong_about_a_match(text: str) -> None:
    for compiled in _SMALL:
        if compiled.search(text) is not None:
            assert may_match(compiled, text), (compiled.pattern, text)
