"""The saved-search check: a malformed query or name is refused with one line naming the fault
and where it is; every well-formed query passes, whatever its words."""

from __future__ import annotations

import os

import pytest
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st

from litwatch.default_search import DEFAULT_QUERY, DEFAULT_SEARCH_NAME
from litwatch.errors import QueryError
from litwatch.eutils.query_check import FIELD_TAGS, check_query, check_search_name
from litwatch.fake_eutils.query import QuerySyntax, parse
from litwatch.fake_eutils.query_fields import FIELD_TAGS as FAKE_TAGS

EXAMPLES = int(os.environ.get("LITWATCH_PROPERTY_EXAMPLES", "100"))
FAST = settings(max_examples=EXAMPLES, deadline=None, suppress_health_check=[HealthCheck.too_slow])


def test_the_default_search_passes() -> None:
    assert check_query(DEFAULT_QUERY) == DEFAULT_QUERY
    assert check_search_name(DEFAULT_SEARCH_NAME) == DEFAULT_SEARCH_NAME


@pytest.mark.parametrize(
    "query",
    [
        "rituximab",
        "rituximab[tiab] AND (scleroderma[mh] OR SSc[tiab])",
        '"systemic sclerosis"[Title/Abstract] NOT review[pt]',
        "fibros*[tiab] AND 2020/01/01:2024/12/31[dp]",
        '"Scleroderma, Systemic"[mh:noexp] AND "skin score"[tiab:~2]',
        "smith j[au] AND english[la] AND 38000000[pmid]",
        "a and b",  # lower-case words are words, as in PubMed
    ],
)
def test_well_formed_queries_pass(query: str) -> None:
    assert check_query(f"  {query} ") == query


@pytest.mark.parametrize(
    ("query", "fault"),
    [
        ("(rituximab AND", "AND at column 12 has no term after it"),
        ("(rituximab AND scleroderma", "the '(' at column 1 is never closed"),
        ("rituximab) AND scleroderma", "the ')' at column 10 has no '(' before it"),
        ('"systemic sclerosis AND rituximab', "the quote at column 1 is never closed"),
        ("rituximab[tiab AND x", "the '[' at column 10 is never closed"),
        ("rituximab]", "the ']' at column 10 has no '[' before it"),
        ("rituximab[tibia]", "unknown field tag [tibia] at column 10"),
        ("OR rituximab", "OR at column 1 has no term before it"),
        ("rituximab AND OR x", "OR at column 15 has no term before it"),
        ("rituximab NOT", "NOT at column 11 has no term after it"),
        ("(a OR ) AND b", "OR at column 4 has no term after it"),
        ("a AND ()", "the parentheses at column 7 hold nothing"),
        ("[tiab] rituximab", "the field tag [tiab] at column 1 follows no term"),
        ("(a OR b)[tiab]", "the field tag [tiab] at column 9 follows no term"),
        ("   ", "the query is empty"),
        ('rituximab AND ""', 'the term "" at column 15 has no letter or digit'),
        ("rituximab - ssc", "the term - at column 11 has no letter or digit"),
    ],
)
def test_malformed_queries_are_refused_with_the_place(query: str, fault: str) -> None:
    with pytest.raises(QueryError) as caught:
        check_query(query)
    assert str(caught.value) == fault or str(caught.value).startswith(fault)
    assert len(str(caught.value).splitlines()) == 1


def test_the_product_knows_every_tag_the_fake_server_knows() -> None:
    assert {tag.split(":")[0] for tag in FAKE_TAGS} <= FIELD_TAGS


@pytest.mark.parametrize(
    ("name", "fault"),
    [
        ("my search!", "' ' at column 3"),
        ("Rituximab", "'R' at column 1"),
        ("ssc_ild", "'_' at column 4"),
        ("-ssc", "a hyphen at an end or doubled"),
        ("ssc--ild", "a hyphen at an end or doubled"),
        ("", "needs a name"),
        ("a" * 101, "at most 100"),
    ],
)
def test_names_must_be_slugs(name: str, fault: str) -> None:
    with pytest.raises(QueryError, match="not a slug|needs a name|at most") as caught:
        check_search_name(name)
    assert fault in str(caught.value)


# --- properties ------------------------------------------------------------------------------

WORD = st.text("abcdefghijklmnopqrstuvwxyz0123456789-*", min_size=1, max_size=8).filter(
    lambda w: w.upper() not in ("AND", "OR", "NOT") and any(c.isalnum() for c in w)
)
PHRASE = st.lists(WORD, min_size=1, max_size=3).map(lambda ws: '"' + " ".join(ws) + '"')
TAG = st.sampled_from(["", "[tiab]", "[mh]", "[pt]", "[Title/Abstract]", "[au]", "[mh:noexp]"])
TERM = st.tuples(st.one_of(WORD, PHRASE), TAG).map("".join)


def _queries() -> st.SearchStrategy[str]:
    def extend(inner: st.SearchStrategy[str]) -> st.SearchStrategy[str]:
        op = st.sampled_from([" AND ", " OR ", " NOT ", " "])
        pair = st.tuples(inner, op, inner).map("".join)
        return st.one_of(pair, inner.map(lambda q: f"({q})"))

    return st.recursive(TERM, extend, max_leaves=8)


@FAST
@given(_queries())
def test_every_well_formed_query_passes(query: str) -> None:
    assert check_query(query) == query


@FAST
@given(_queries(), st.data())
def test_one_unbalanced_parenthesis_or_quote_is_found(query: str, data: st.DataObject) -> None:
    extra = data.draw(st.sampled_from(["(", ")", '"']))
    # Outside the phrases (a parenthesis inside quotes is a character of the phrase); a quote
    # goes at the end, where it is never closed.
    outside = [i for i in range(len(query) + 1) if query[:i].count('"') % 2 == 0]
    at = len(query) if extra == '"' else data.draw(st.sampled_from(outside))
    with pytest.raises(QueryError):
        check_query(query[:at] + extra + query[at:])


@FAST
@given(st.text(max_size=60))
def test_any_text_passes_or_gives_one_line(text: str) -> None:
    try:
        check_query(text)
    except QueryError as exc:
        assert str(exc) and "\n" not in str(exc)


@FAST
@given(_queries())
def test_what_passes_the_fake_server_can_parse(query: str) -> None:
    check_query(query)
    try:
        parse(query)
    except QuerySyntax as exc:  # pragma: no cover - a disagreement is the failure
        pytest.fail(f"the check passed {query!r} but the fake server refuses it: {exc}")
