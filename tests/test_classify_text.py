"""Sentences, their roles, and term matching."""

from __future__ import annotations

import pytest

from litwatch.classify.text import build_matcher, sentences_of, split_sentences


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
    ],
)  # fmt: skip
def test_matcher(text: str, found: list[str]) -> None:
    matcher = build_matcher(
        {
            "drug": ["anti-cd20"],
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
