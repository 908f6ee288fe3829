"""The words a saved query lacks to find an article: the drug as the article names it."""

from __future__ import annotations

import pytest

from litwatch.default_search import DEFAULT_QUERY
from litwatch.judging.recall_gaps import drug_words, missing_terms, suggestion
from tests.helpers.classify import article, kb


@pytest.mark.parametrize(
    ("title", "abstract", "words"),
    [
        ("Rixathon in SSc", "Patients with SSc were given Rixathon.", ["Rixathon"]),
        (
            "B-cell depleting therapy in scleroderma",
            "A CD20-targeted antibody and anti-CD20 therapy.",
            ["B-cell depleting therapy", "CD20-targeted", "anti-CD20"],
        ),
        ("Systemic sclerosis", "Mycophenolate in SSc.", []),
    ],
)
def test_drug_words_as_written(title: str, abstract: str, words: list[str]) -> None:
    assert drug_words(article(title, abstract), kb()) == words


@pytest.mark.parametrize(
    ("query", "text", "missing"),
    [
        # The default query knows the brand MabThera and anti-CD20, not Ritemvia.
        (DEFAULT_QUERY, "Ritemvia (anti-CD20) and MabThera in SSc", ['"Ritemvia"[tiab]']),
        (DEFAULT_QUERY, "A CD20 monoclonal antibody in SSc", ['"CD20 monoclonal antibody"[tiab]']),
        # A query phrase inside the article's term covers it; a MeSH term does not.
        ('"CD20"[tiab] AND ssc', "A CD20 monoclonal antibody in SSc", []),
        ('"Rituximab"[mh] AND ssc', "Rituximab in SSc", ['"Rituximab"[tiab]']),
        # A truncated word covers the words it starts.
        ("rituxim*[tiab] AND ssc", "Rituximab in SSc", []),
        ("rtx[tiab] AND ssc", "Rituximab in SSc", ['"Rituximab"[tiab]']),
        ("rituximab AND ssc", "Rituximab in SSc", []),
    ],
)
def test_missing_terms(query: str, text: str, missing: list[str]) -> None:
    assert missing_terms(article(text, ""), query, kb()) == missing


def test_suggestion_is_a_quoted_tiab_term() -> None:
    assert suggestion('odd "quoted" name') == '"odd quoted name"[tiab]'
