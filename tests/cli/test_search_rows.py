"""A local hit's title and snippet cells: matched words in bold, cut at a word."""

from __future__ import annotations

from litwatch.cli.search_rows import snippet_cell, title_cell
from litwatch.store.fulltext import SearchHit, marked


def hit(title: str, snippet: str = "") -> SearchHit:
    return SearchHit("1", 1.0, marked(title), marked(snippet))


def bold(text) -> list[str]:  # type: ignore[no-untyped-def]
    return [text.plain[s.start : s.end] for s in text.spans if s.style == "bold"]


def test_matched_words_are_bold_and_the_rest_plain() -> None:
    row = {"retracted": True, "title": "unused"}
    cell = title_cell(row, hit("Quellase in \x02tarrow\x03 syndrome"))
    assert cell.plain == "[RETRACTED] Quellase in tarrow syndrome"
    assert bold(cell) == ["tarrow"]
    assert bold(snippet_cell(hit("x", "a \x02cohort\x03 study"))) == ["cohort"]


def test_a_long_title_is_cut_at_a_word_keeping_the_bold() -> None:
    words = " ".join(f"word{i}" for i in range(30))
    cell = title_cell({"retracted": False, "title": ""}, hit(f"\x02Quellase\x03 {words}"))
    assert len(cell.plain) <= 90 and cell.plain.endswith("…")
    assert cell.plain[:-1].rstrip() in f"Quellase {words}"
    assert f"Quellase {words}"[len(cell.plain) - 1] == " "
    assert bold(cell) == ["Quellase"]
