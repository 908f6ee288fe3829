"""The PubMed query subset of the fake E-utilities server: parsing and matching."""

from __future__ import annotations

from datetime import date

import pytest

from litwatch.fake_eutils.indexing import parse_articles
from litwatch.fake_eutils.matching import Searchable, matches
from litwatch.fake_eutils.query import (
    BoolOp,
    DateRange,
    QuerySyntax,
    Term,
    parse,
    parse_date_range,
    translate,
)
from litwatch.fake_eutils.xmlbuild import ArticleSpec, AuthorSpec, render_article, render_set


@pytest.fixture(scope="module")
def doc() -> Searchable:
    """One hand-written record, indexed the way the corpus indexes it."""
    spec = ArticleSpec(
        pmid="90999001",
        title="Anti-CD20 therapy with rituximab in diffuse cutaneous systemic sclerosis",
        journal="Scleroderma and Fibrosis Reports",
        journal_iso="Scleroderma Fibrosis Rep",
        issn="2998-1002",
        pub_date=date(2025, 3, 1),
        created=date(2026, 11, 20),
        entrez=date(2026, 11, 19),
        revised=date(2026, 11, 23),
        sections=[
            ("METHODS", "METHODS", "Twelve patients received B-cell depletion therapy."),
            ("RESULTS", "RESULTS", "Skin sclerosis softened; FVC < 70% improved in five."),
        ],
        authors=[AuthorSpec("Lindqvist", "Mireille Anne", "Lisbon")],
        pub_types=["Journal Article", "Randomized Controlled Trial"],
        mesh=[
            ("Scleroderma, Diffuse", "D045743", True, []),
            ("Rituximab", "D000069283", False, [("therapeutic use", "Q000627", True)]),
            ("Humans", "D006801", False, []),
        ],
        keywords=["B lymphocytes", "fibrosis"],
        registry=["NCT01234567"],
    )
    (record,) = parse_articles(render_set([render_article(spec)]))
    return record.doc


MATCH_TABLE = [
    ("rituximab", True),
    ("RITUXIMAB", True),
    ("rituxima", False),  # whole words only
    ("rituxim*", True),
    ("scleros*", True),
    ('"systemic sclerosis"', True),
    ('"sclerosis systemic"', False),
    ('"systemic sclerosis"[ti]', True),
    ('"systemic sclerosis"[ab]', False),
    ("twelve[ab]", True),
    ("twelve[ti]", False),
    ("rituximab[tiab]", True),
    ("fibrosis[tiab]", True),  # author keywords count as title/abstract words
    ('"anti-CD20"[tiab]', True),
    ('"anti CD20"[tiab]', True),
    ("anti-CD20", True),
    ('"B cell depletion"[tiab]', True),
    ('"B-cell depletion"[tiab]', True),
    ('"B-cell depleting"[tiab]', False),
    ("CD20", True),
    ("70", True),
    ('"Scleroderma, Systemic"[mh]', True),  # explodes to Scleroderma, Diffuse
    ('"Scleroderma, Systemic"[mh:noexp]', False),
    ('"Scleroderma, Diffuse"[MeSH Terms]', True),
    ('"scleroderma, diffuse"[mesh]', True),
    ('"Rituximab"[mh]', True),
    ("Rituximab[majr]", True),  # a major qualifier makes the heading major
    ("Humans[majr]", False),
    ('"Antigens, CD20"[mh]', False),
    ("rituximab[mh]", True),
    ('"Randomized Controlled Trial"[pt]', True),
    ("review[pt]", False),
    ("eng[la]", True),
    ("english[la]", True),
    ("french[la]", False),
    ("humans[tw]", True),
    ("humans[tiab]", False),
    ("lindqvist ma[au]", True),
    ("lindqvist[au]", True),
    ("NCT01234567[si]", True),
    ("90999001[uid]", True),
    ('"Scleroderma Fibrosis Rep"[ta]', True),
    ("rituximab[All Fields]", True),
    ("rituximab AND lymphoma", False),
    ("rituximab OR lymphoma", True),
    ("rituximab NOT lymphoma", True),
    ("lymphoma NOT rituximab", False),
    ("rituximab lymphoma", False),  # adjacent terms are ANDed
    ("rituximab or lymphoma", False),  # lower-case 'or' is a stopword, not an operator
    ("lymphoma OR rituximab AND sclerosis", True),  # left to right: (lymphoma OR rituximab) AND
    ("rituximab AND (lymphoma OR sclerosis)", True),
    ("(lymphoma OR myositis) AND rituximab", False),
    ("2026/11/17:2026/11/24[crdt]", True),
    ("2026/11/21:2026/11/24[crdt]", False),
    ("2026/11[crdt]", True),
    ("2026/11/20[crdt]", True),
    ("2026/11/20[edat]", False),
    ("2026/11/19[edat]", True),
    ("2026/11/23[mdat]", True),
    ("2025[dp]", True),
    ("2024:2024[dp]", False),
    ("2024:3000[dp]", True),
    ("2026/11/17:2026/11/24[Date - Create]", True),
    (
        '(rituximab[tiab] OR "Antigens, CD20"[mh]) AND ("Scleroderma, Systemic"[mh] OR SSc[tiab])',
        True,
    ),
]


@pytest.mark.parametrize(("query", "expected"), MATCH_TABLE)
def test_query_matches_record(query: str, expected: bool, doc: Searchable) -> None:
    assert matches(parse(query), doc) is expected


@pytest.mark.parametrize(
    "query",
    [
        "(rituximab AND sclerosis",
        "rituximab) AND sclerosis",
        "rituximab AND",
        "OR rituximab",
        "rituximab AND OR sclerosis",
        "rituximab NOT",
        "()",
        "",
        "   ",
        "rituximab[nosuchfield]",
        "2026/13/01[crdt]",
        "soon[crdt]",
        'rituximab[tiab] "unclosed',
        "rituximab]",
    ],
)
def test_syntax_errors_raise(query: str) -> None:
    with pytest.raises(QuerySyntax):
        parse(query)


def test_tree_shape_is_left_to_right() -> None:
    tree = parse("a OR b AND c NOT d")
    assert isinstance(tree, BoolOp) and tree.op == "NOT"
    assert isinstance(tree.left, BoolOp) and tree.left.op == "AND"
    assert isinstance(tree.left.left, BoolOp) and tree.left.left.op == "OR"
    assert tree.right == Term("d")


def test_field_tags_and_phrases_parse() -> None:
    assert parse('"SSc-ILD"[tiab]') == Term("SSc-ILD", "tiab", phrase=True)
    assert parse("scleros* [tiab]") == Term("scleros", "tiab", wildcard=True)
    assert parse('"Scleroderma, Systemic"[MeSH Terms:noexp]') == Term(
        "Scleroderma, Systemic", "mh:noexp", phrase=True
    )


@pytest.mark.parametrize(
    ("text", "start", "end"),
    [
        ("2026", date(2026, 1, 1), date(2026, 12, 31)),
        ("2026/02", date(2026, 2, 1), date(2026, 2, 28)),
        ("2026/11/17", date(2026, 11, 17), date(2026, 11, 17)),
        ("2026/11/17:2026/11/24", date(2026, 11, 17), date(2026, 11, 24)),
        ("2020:2021/06", date(2020, 1, 1), date(2021, 6, 30)),
        ("2026-11-17:2026-11-24", date(2026, 11, 17), date(2026, 11, 24)),
    ],
)
def test_date_ranges(text: str, start: date, end: date) -> None:
    assert parse_date_range(text, "crdt") == DateRange("crdt", start, end, text)


def test_translation_reads_like_pubmed() -> None:
    tree = parse('(rituximab[tiab] OR "Rituximab"[mh]) AND 2026/11/17:2026/11/24[crdt]')
    assert translate(tree) == (
        '("rituximab"[Title/Abstract] OR "rituximab"[MeSH Terms]) '
        "AND 2026/11/17:2026/11/24[Date - Create]"
    )


@pytest.mark.parametrize(("query", "_"), MATCH_TABLE)
def test_translation_means_the_same(query: str, _: bool, doc: Searchable) -> None:
    tree = parse(query)
    assert matches(parse(translate(tree)), doc) is matches(tree, doc)
