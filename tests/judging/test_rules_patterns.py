"""The classifier's fast patterns match exactly what their plain forms match."""

from __future__ import annotations

import re

import pytest

from litwatch.judging.gold import load_gold
from litwatch.judging.rules import cues, relevance
from litwatch.judging.rules.patterns import (
    by_first_letter,
    split_alternatives,
    tagged_words,
    words,
)
from litwatch.judging.rules.sentences import _ROLE_CUE_FAMILIES, split_sentences
from tests.helpers.paths import TEST_DATA

DATA = TEST_DATA


@pytest.fixture(scope="module")
def sentences() -> list[str]:
    """Every lower-cased sentence of our gold and held-out abstracts, and a few hard ones."""
    found = [
        "the mrss improved, whereas fvc declined; in conclusion, rituximab was effective.",
        "further studies are needed. overall,rituximab helped. conclusions differ.",
        "we aimed to assess rituximab; the aim was to compare it with placebo.",
        "cost-effectiveness and cost-utility in a markov model; treatment patterns varied.",
        "interleukin-6 and il-17 in murine fibroblasts; tgf-beta signalling pathways.",
        "naïve b-cell subsets and b cell subsets; improvément.",
    ]
    for name in ("gold.jsonl", "heldout.jsonl"):
        for record in load_gold(DATA / name):
            for part in (record.title, record.abstract):
                found += [s.lower() for s in split_sentences(part)]
    return found


def test_split_alternatives_keeps_groups_classes_and_escapes_whole() -> None:
    assert split_alternatives(r"a|b(?:c|d)|[|x]e|f\|g|[]|]h") == [
        "a",
        "b(?:c|d)",
        "[|x]e",
        r"f\|g",
        "[]|]h",
    ]


@pytest.mark.parametrize("alternative", [r"(?:a|b)c", r"\d+", "a?b", "a*", " and"])
def test_an_alternative_must_open_with_a_literal(alternative: str) -> None:
    with pytest.raises(ValueError, match="literal"):
        by_first_letter(["ok", alternative])


@pytest.mark.parametrize(
    "source",
    [
        cues.LAB_WORDS,
        cues.ELSEWHERE_WORDS,
        relevance._GUIDELINE_WORDS,
        r"improv\w*|benefi\w*|reduc\w*|reversed|reversal|recover\w*|regress(?:ed|ion)",
        r"no (?:significant )?(?:change|changes)\b|did not (?:significantly )?change|not|n't",
    ],
)
def test_words_matches_what_the_plain_alternation_matches(
    source: str, sentences: list[str]
) -> None:
    plain = re.compile(rf"\b(?:{source})\b", re.ASCII)
    fast = words(source)
    for low in sentences:
        assert [m.span() for m in fast.finditer(low)] == [m.span() for m in plain.finditer(low)]


def test_tagged_words_name_the_family_that_matched(sentences: list[str]) -> None:
    families = _ROLE_CUE_FAMILIES
    fast, tags = tagged_words(families)
    plain = re.compile(
        r"\b(?:"
        + "|".join(f"(?P<{name}>{'|'.join(alts)})" for name, alts in families.items())
        + r")\b",
        re.ASCII,
    )
    seen = set()
    for low in sentences:
        got = [(m.span(), tags[m.lastgroup or ""]) for m in fast.finditer(low)]
        want = [(m.span(), m.lastgroup) for m in plain.finditer(low)]
        assert got == want, low
        seen.update(family for _, family in got)
    assert seen == set(families)  # the sentences exercise every family


def test_patterns_read_ascii_word_classes() -> None:
    # Documented in patterns.py: a letter outside ASCII ends a word for the cue patterns.
    assert words("ve").search("naïve") is not None
    assert re.search(r"\bve\b", "naïve") is None
