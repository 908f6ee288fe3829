"""Sentences, their roles, and term matching."""

from __future__ import annotations

import pytest

from litwatch.judging.rules.sentences import plain, sentences_of, split_sentences
from litwatch.judging.rules.terms import build_matcher, sentences_naming


def test_split_keeps_abbreviations_and_decimals() -> None:
    text = "mRSS fell by 6.3 vs. placebo (P<0.01). Smith et al. agreed. FVC rose by 2.1%."
    assert split_sentences(text) == [
        "mRSS fell by 6.3 vs. placebo (P<0.01).",
        "Smith et al. agreed.",
        "FVC rose by 2.1%.",
    ]


def test_roles_from_labels_and_from_the_text() -> None:
    sentences = sentences_of(
        "Rituximab in SSc",
        [("", "BACKGROUND: B cells matter in SSc. METHODS: We enrolled 20 patients. "
              "RESULTS: The mRSS fell. CONCLUSIONS: Rituximab helps. Larger trials are needed.")],
    )  # fmt: skip
    assert [s.role for s in sentences] == [
        "title", "background", "methods", "results", "conclusion", "outlook",
    ]  # fmt: skip


def test_roles_in_free_text() -> None:
    sentences = sentences_of(
        "",
        [("", "Rituximab has been used in SSc. We aimed to assess its effect on skin. "
              "The mRSS fell from 20 to 12. In conclusion, rituximab improved skin.")],
    )  # fmt: skip
    assert [s.role for s in sentences] == ["background", "aim", "results", "conclusion"]


def test_background_label_covering_results_in_free_text() -> None:
    sentences = sentences_of("", [("", "Aim: to describe RTX in SSc. We included 46 patients. "
                                       "At 12 months the mRSS decreased.")])  # fmt: skip
    assert sentences[-1].role == "results"


def test_lengths_line_up_for_spans() -> None:
    (sentence,) = sentences_of("", [("", "Ǆ FVC rose.")])
    assert len(sentence.lower) == len(sentence.text)


@pytest.mark.parametrize(
    ("text", "found"),
    [
        ("anti-CD20 and anti CD20", ["anti-cd20", "anti cd20"]),
        ("skin scores improved", ["skin scores"]),
        ("at four centres in Japan", ["four centres"]),
        ("at 12 hospitals", ["12 hospitals"]),
        ("low baseline IgG and low IgM", ["low baseline igg", "low igm"]),
        ("serum immunoglobulin A", ["serum immunoglobulin", "immunoglobulin a"]),
        ("forced vital capacity", ["forced vital capacity"]),
        ("vital capacity", ["vital capacity"]),
        ("lymphoma", []),
        ("twelve patients at 3 sites", []),
        ("after 24 weeks of therapy", ["after 24 weeks"]),
        ("after two weeks", ["after two weeks"]),
        ("24 weeks", []),
    ],
)  # fmt: skip
def test_matcher(text: str, found: list[str]) -> None:
    matcher = build_matcher(
        {
            "drug": ["anti-cd20"],
            "later": ["after # weeks"],
            "skin": ["skin score"],
            "sites": ["# centres", "# hospitals"],
            "low": ["low * igg", "low * igm", "serum immunoglobulin"],
            "iga": ["immunoglobulin a"],
            "fvc": ["forced vital capacity", "vital capacity"],
        }
    )
    low = text.lower()
    assert [low[m.start : m.end] for m in matcher.scan(low)] == found


def test_a_term_may_belong_to_several_categories() -> None:
    matcher = build_matcher({"a": ["mrss"], "b": ["mrss"]})
    (match,) = matcher.scan("the mrss fell")
    assert match.categories == {"a", "b"}


def test_pubmed_section_labels_are_trusted() -> None:
    sentences = sentences_of(
        "Rituximab in SSc",
        [
            ("BACKGROUND", "We aimed to study B cells. Rituximab improved skin in earlier work."),
            ("RESULTS", "The mRSS fell."),
        ],
    )
    assert [s.role for s in sentences] == ["title", "aim", "background", "results"]


def test_sentences_are_scanned_from_their_own_tokens() -> None:
    # A sentence carries its tokens, read once; scanning them finds what scanning its text
    # finds, with spans that line up, in ASCII text and in text with other letters too.
    matcher = build_matcher(
        {"drug": ["anti-cd20", "rituximab"], "skin": ["skin score"], "n": ["# centres"]}
    )
    sentences = sentences_of(
        plain("Rituximab (anti\u2011CD20) in Sjögren\u2013SSc overlap"),
        [
            (
                "",
                "The skin score fell by 6·3 at three centres. "
                "Anti-CD20 naïve patients at 4 centres.",
            )
        ],
    )
    for s in sentences:
        from_tokens = matcher.scan(s.lower, s.words, s.numeric)
        assert [(m.start, m.end, m.categories) for m in from_tokens] == [
            (m.start, m.end, m.categories) for m in matcher.scan(s.lower)
        ]
    found = [[s.lower[m.start : m.end] for m in matcher.scan(s.lower)] for s in sentences]
    assert found == [
        ["rituximab", "anti-cd20"],
        ["skin score", "three centres"],
        ["anti-cd20", "4 centres"],
    ]


def test_sentences_naming_lists_each_sentence_once() -> None:
    matcher = build_matcher({"drug": ["rituximab"], "skin": ["mrss"]})
    lows = ["rituximab and rituximab", "the mrss fell", "rituximab lowered the mrss"]
    naming = sentences_naming([matcher.scan(low) for low in lows])
    assert naming == {"drug": [0, 2], "skin": [1, 2]}


@pytest.mark.parametrize(
    ("markup", "expected"),
    [
        ("plain words", "plain words"),
        ("  spaced   out\ttext\n", "spaced out text"),
        ("no\u00a0break and\u2009thin", "no break and thin"),
        ("\u22126.3 and 2\u20134 weeks", "-6.3 and 2-4 weeks"),
        ("<i>B</i> cells &amp; \u2212 2", "B cells & - 2"),
    ],
)
def test_plain_collapses_space_and_unifies_dashes(markup: str, expected: str) -> None:
    assert plain(markup) == expected


def test_overall_opens_a_conclusion() -> None:
    sentences = sentences_of(
        "", [("", "We enrolled 30 patients. The mRSS fell. Overall, rituximab helped the skin.")]
    )
    assert [s.role for s in sentences] == ["methods", "results", "conclusion"]
