"""Properties of the PubMed parser: any bytes give a batch or a ParseError, never another
exception; generated records come back with the fields they were written with."""

from __future__ import annotations

import os
import string
from datetime import date

from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st

from litwatch.errors import ParseError
from litwatch.fake_eutils.xmlbuild import ArticleSpec, AuthorSpec, render_article, render_set
from litwatch.pubmed.markup import to_plain
from litwatch.pubmed.parser import parse_pubmed_xml
from litwatch.records import ParsedBatch

EXAMPLES = int(os.environ.get("LITWATCH_PROPERTY_EXAMPLES", "60"))
FAST = settings(max_examples=EXAMPLES, deadline=None, suppress_health_check=[HealthCheck.too_slow])

# Text as PubMed carries it: printable, no control characters, words separated by one space.
WORD = st.text(string.ascii_letters + string.digits + "éüøß-'&<>", min_size=1, max_size=12)
# Names: letters only (the fake's writer derives initials from them, unescaped).
NAME = st.text(string.ascii_letters + "éüøß", min_size=1, max_size=12)
TEXT = st.lists(WORD, min_size=1, max_size=12).map(" ".join)
DAY = st.dates(min_value=date(1950, 1, 1), max_value=date(2030, 12, 31))
PMID = st.integers(min_value=1, max_value=99_999_999).map(str)


def _spec(draw: st.DrawFn, pmid: str) -> ArticleSpec:
    return ArticleSpec(
        pmid=pmid,
        title=draw(TEXT),
        journal=draw(TEXT),
        journal_iso=draw(WORD),
        issn="1234-5678",
        pub_date=draw(DAY),
        created=draw(DAY),
        abstract=draw(st.one_of(st.just(""), TEXT)),
        authors=[
            AuthorSpec(last, fore)
            for last, fore in draw(st.lists(st.tuples(WORD, NAME), max_size=4))
        ],
        keywords=draw(st.lists(TEXT, max_size=3)),
        pub_types=draw(
            st.lists(
                st.sampled_from(["Journal Article", "Review", "Randomized Controlled Trial"]),
                min_size=1,
                max_size=3,
                unique=True,
            )
        ),
        doi=draw(st.one_of(st.just(""), WORD.map(lambda w: f"10.1000/{w}"))),
    )


@st.composite
def article_sets(draw: st.DrawFn) -> list[ArticleSpec]:
    pmids = draw(st.lists(PMID, min_size=1, max_size=4, unique=True))
    return [_spec(draw, pmid) for pmid in pmids]


def _parses_or_refuses(data: bytes) -> None:
    try:
        batch = parse_pubmed_xml(data)
    except ParseError:
        return
    assert isinstance(batch, ParsedBatch)


@FAST
@given(st.binary(max_size=2000))
def test_any_bytes_give_a_batch_or_a_parse_error(data: bytes) -> None:
    _parses_or_refuses(data)


@FAST
@given(article_sets(), st.data())
def test_a_damaged_answer_gives_a_batch_or_a_parse_error(
    specs: list[ArticleSpec], data: st.DataObject
) -> None:
    doc = render_set([render_article(s) for s in specs])
    cut = data.draw(st.integers(0, len(doc)))
    junk = data.draw(st.binary(max_size=40))
    _parses_or_refuses(doc[:cut])
    _parses_or_refuses(doc[:cut] + junk + doc[cut:])
    spliced = data.draw(st.integers(0, len(doc)))
    _parses_or_refuses(doc[:cut] + doc[spliced:])


@FAST
@given(article_sets())
def test_generated_records_round_trip_their_fields(specs: list[ArticleSpec]) -> None:
    batch = parse_pubmed_xml(render_set([render_article(s) for s in specs]))
    assert [a.pmid for a in batch.articles] == [s.pmid for s in specs]
    assert not batch.failed_pmids
    for spec, got in zip(specs, batch.articles, strict=True):
        assert to_plain(got.title) == spec.title
        assert to_plain(got.journal_title) == spec.journal
        assert to_plain(got.abstract) == spec.abstract
        assert got.create_date == spec.created
        # The journal issue's date is written as year and month: the parser takes its first day.
        assert got.pub_date == spec.pub_date.replace(day=1)
        assert got.pub_year == spec.pub_date.year
        assert got.publication_types == spec.pub_types
        assert [to_plain(k) for k in got.keywords] == spec.keywords
        assert got.doi == spec.doi
        assert [(to_plain(a.last_name), to_plain(a.fore_name)) for a in got.authors] == [
            (a.last, a.fore) for a in spec.authors
        ]
