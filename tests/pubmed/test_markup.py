"""Safe markup: the five inline tags survive, nothing else can become HTML."""

from __future__ import annotations

import re

import pytest

from litwatch.pubmed.markup import collapse_space, escape_text, to_plain, to_safe_markup

# After to_safe_markup, the only '<' left must open or close one of the five bare tags.
_ONLY_ALLOWED = re.compile(r"<(?!/?(?:i|b|sup|sub|u)>)")


@pytest.mark.parametrize(
    ("raw", "safe"),
    [
        ("plain text", "plain text"),
        ("the <i>TERT</i> gene", "the <i>TERT</i> gene"),
        ("CD19<sup>+</sup> and CO<sub>2</sub>", "CD19<sup>+</sup> and CO<sub>2</sub>"),
        ("<b>bold</b> <u>under</u>", "<b>bold</b> <u>under</u>"),
        ("CD4 < 200 cells", "CD4 &lt; 200 cells"),
        ("P<0.05 & n>10", "P&lt;0.05 &amp; n&gt;10"),
        ("already &amp; escaped", "already &amp;amp; escaped"),
        ("<script>alert(1)</script>", "&lt;script&gt;alert(1)&lt;/script&gt;"),
        ('<img src=x onerror="alert(1)">', '&lt;img src=x onerror="alert(1)"&gt;'),
        ('<i onclick="alert(1)">x</i>', "<i>x</i>"),
        ('<i style="color:red" >x</I>', "<i>x</i>"),
        ("<iframe>x</iframe>", "&lt;iframe&gt;x&lt;/iframe&gt;"),
        ("<bold>x</bold>", "&lt;bold&gt;x&lt;/bold&gt;"),
        (
            "<mml:math><mml:mi>x</mml:mi></mml:math>",
            "&lt;mml:math&gt;&lt;mml:mi&gt;x&lt;/mml:mi&gt;&lt;/mml:math&gt;",
        ),
        ("<i/>empty", "empty"),
        ('<i class="a"/>x', "x"),
    ],
)
def test_to_safe_markup(raw: str, safe: str) -> None:
    assert to_safe_markup(raw) == safe


@pytest.mark.parametrize(
    ("raw", "safe"),
    [
        ("<i>never closed", "<i>never closed</i>"),
        ("stray close</i> here", "stray close here"),
        ("<i><b>crossed</i></b>", "<i><b>crossed</b></i>"),
        ("<sup>a<sub>b</sup>c</sub>", "<sup>a<sub>b</sub></sup>c"),
        ("<b><i>two open", "<b><i>two open</i></b>"),
        ("</u></u>", ""),
    ],
)
def test_unbalanced_tags_are_closed_or_dropped(raw: str, safe: str) -> None:
    assert to_safe_markup(raw) == safe


@pytest.mark.parametrize(
    "raw",
    [
        "<scr<i>ipt>alert(1)</scr</i>ipt>",
        "<<i>script>",
        "<i <script>>x</i>",
        '<i title="a>b">x</i>',
        "<a href='javascript:alert(1)'>link</a>",
        "</i><svg/onload=alert(1)>",
        "<\x00i>",
    ],
)
def test_injection_attempts_cannot_produce_other_tags(raw: str) -> None:
    safe = to_safe_markup(raw)
    assert not _ONLY_ALLOWED.search(safe), safe
    # And tags balance: every opener has its closer.
    for name in ("i", "b", "sup", "sub", "u"):
        assert safe.count(f"<{name}>") == safe.count(f"</{name}>")


def test_safe_markup_is_stable() -> None:
    once = to_safe_markup("a <i>b</i> & c < d")
    # Feeding safe markup back in escapes the entities again: it is output, not input.
    assert once == "a <i>b</i> &amp; c &lt; d"
    assert to_plain(once) == "a b & c < d"


@pytest.mark.parametrize(
    ("markup", "plain"),
    [
        ("the <i>TERT</i> gene", "the TERT gene"),
        ("CD4 &lt; 200 cells", "CD4 < 200 cells"),
        ("Fibrosis &amp; Immunity", "Fibrosis & Immunity"),
        ("  many\n   spaces\tand\xa0tabs  ", "many spaces and tabs"),
        ("CO<sub>2</sub>-corrected", "CO2-corrected"),
        ("", ""),
    ],
)
def test_to_plain(markup: str, plain: str) -> None:
    assert to_plain(markup) == plain


def test_escape_text_matches_html_escape_without_quotes() -> None:
    import html

    text = '"quoted" it\'s <a> & b > c &amp;'
    assert escape_text(text) == html.escape(text, quote=False)


def test_collapse_space() -> None:
    assert collapse_space("\n  a <i>b</i>\n\n c  ") == "a <i>b</i> c"
