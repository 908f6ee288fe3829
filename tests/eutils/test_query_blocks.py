"""Taking a saved query apart into blocks, and the broader query the recall audit runs."""

from __future__ import annotations

import pytest

from litwatch.default_search import DEFAULT_QUERY
from litwatch.errors import QueryError
from litwatch.eutils.query_blocks import (
    Block,
    QueryTerm,
    broader_query,
    names_any,
    query_terms,
    split_blocks,
)

DRUG = ("rituximab", "mabthera", "anti-cd20")
DISEASE = ("systemic sclerosis", "scleroderma", "ssc")


@pytest.mark.parametrize(
    ("query", "blocks"),
    [
        ("a AND b", [Block("", "a"), Block("AND", "b")]),
        ("(a OR b) AND c[tiab]", [Block("", "(a OR b)"), Block("AND", "c[tiab]")]),
        ("((a OR b) AND (c OR d))", [Block("", "(a OR b)"), Block("AND", "(c OR d)")]),
        ("a AND b NOT c[pt]", [Block("", "a"), Block("AND", "b"), Block("NOT", "c[pt]")]),
        # Operators inside quotes, tags or parentheses do not split.
        ('"x AND y"[tiab] AND z', [Block("", '"x AND y"[tiab]'), Block("AND", "z")]),
        ("(a AND b) AND(c)", [Block("", "(a AND b)"), Block("AND", "(c)")]),
        ("BRAND AND ORANGE", [Block("", "BRAND"), Block("AND", "ORANGE")]),
        # A top-level OR keeps the query whole.
        ("a AND b OR c", [Block("", "a AND b OR c")]),
        ("single", [Block("", "single")]),
    ],
)
def test_split_blocks(query: str, blocks: list[Block]) -> None:
    assert split_blocks(query) == blocks


def test_query_terms_keep_phrases_and_tags() -> None:
    terms = query_terms('("Scleroderma, Systemic"[mh] OR rituxim*[tiab]) AND ssc NOT x[Title]')
    assert terms == [
        QueryTerm("Scleroderma, Systemic", "mh"),
        QueryTerm("rituxim*", "tiab"),
        QueryTerm("ssc", ""),
        QueryTerm("x", "title"),
    ]
    assert [t.searches_text for t in terms] == [False, True, True, True]
    assert terms[1].words == ("rituxim",)


@pytest.mark.parametrize(
    ("block", "named"),
    [
        ('"Rituximab"[mh] OR foo', True),  # the MeSH heading holds the word
        ('"anti CD20"[tiab]', True),  # hyphen and space the same
        ("rituximabs", False),  # whole words only
        ('"sclerosis, systemic"', False),  # words in order
    ],
)
def test_names_any(block: str, named: bool) -> None:
    assert names_any(block, DRUG + ("systemic sclerosis",)) is named


def test_the_default_query_leaves_its_disease_block() -> None:
    broader = broader_query(DEFAULT_QUERY, DRUG, DISEASE)
    assert broader.query.startswith('("Scleroderma, Systemic"[mh] OR "systemic sclerosis"[tiab]')
    assert broader.query.endswith('"limited cutaneous"[tiab])')
    assert "rituximab" not in broader.query.lower() and " AND " not in broader.query
    [dropped] = broader.dropped
    assert "mabthera[tiab]" in dropped.text


@pytest.mark.parametrize(
    ("query", "expected"),
    [
        ("rituximab AND scleroderma", "scleroderma"),
        ("scleroderma[tiab] AND (rituximab OR mabthera)", "scleroderma[tiab]"),
        # Other filters and exclusions stay, so both queries hold the same limits.
        (
            "(rituximab) AND (ssc OR scleroderma) AND english[la]",
            "(ssc OR scleroderma) AND english[la]",
        ),
        ("rituximab AND ssc NOT (mice[mh] OR rats[mh])", "ssc NOT (mice[mh] OR rats[mh])"),
        # A block on both drug and disease is a drug block; the disease block alone stays.
        ("(rituximab AND ssc) AND (scleroderma OR ssc)", "(scleroderma OR ssc)"),
        ("review[pt] AND rituximab AND ssc", "review[pt] AND ssc"),
    ],
)
def test_broader_query(query: str, expected: str) -> None:
    assert broader_query(query, DRUG, DISEASE).query == expected


@pytest.mark.parametrize(
    ("query", "why"),
    [
        ("rituximab", "not blocks joined by AND"),
        ("rituximab[tiab] OR scleroderma[tiab]", "not blocks joined by AND"),
        ("scleroderma AND lung", "no block joined by AND names the drug"),
        ("ssc NOT rituximab", "no block joined by AND names the drug"),
        ("rituximab AND mabthera", "no block names the disease"),
        ("rituximab AND lymphoma", "no block names the disease"),
    ],
)
def test_no_separable_disease_block(query: str, why: str) -> None:
    with pytest.raises(QueryError, match=f"no separable disease block: .*{why}"):
        broader_query(query, DRUG, DISEASE)


def test_a_malformed_query_is_refused_before_splitting() -> None:
    with pytest.raises(QueryError, match="never closed"):
        broader_query("(rituximab AND ssc", DRUG, DISEASE)
