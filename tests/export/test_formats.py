"""Exports in every format, read back the way a reference manager or spreadsheet would."""

from __future__ import annotations

import csv
import io
import json
import re
from datetime import UTC, date, datetime

import pytest

from litwatch.export.fields import date_parts, split_pages
from litwatch.export.formats import FORMATS, write_export
from litwatch.export.rows import ExportRow
from litwatch.records import (
    AbstractSection,
    ArticleRecord,
    Author,
    Classification,
    CommentCorrection,
    Evidence,
    FindingJudgement,
    MeshHeading,
)

SEEN = datetime(2024, 3, 5, 7, 30, tzinfo=UTC)


def _trial() -> ExportRow:
    article = ArticleRecord(
        pmid="90000001",
        doi="10.5555/test.2023_001",
        pmcid="PMC9000001",
        title="Effect of <i>Nintedanib</i> on lung function: a trial in 100% of centres",
        abstract_sections=[
            AbstractSection("BACKGROUND", "BACKGROUND", "Costs &amp; benefits {were} unclear."),
            AbstractSection("RESULTS", "RESULTS", "FVC fell by 5% (p &lt; 0.05) in the #2 arm."),
        ],
        authors=[
            Author(last_name="Müller", fore_name="Anna B", initials="AB"),
            Author(last_name="Okafor", fore_name="Chidi", initials="C"),
            Author(collective_name="Scleroderma Lung Study Group"),
        ],
        journal_title="Arthritis &amp; Rheumatology",
        journal_iso="Arthritis Rheumatol",
        issn="2326-5191",
        volume="75",
        issue="2",
        pages="123-9",
        pub_date_text="2023 Feb 15",
        pub_year=2023,
        pub_date=date(2023, 2, 15),
        publication_types=["Journal Article", "Randomized Controlled Trial"],
        mesh=[MeshHeading("Scleroderma, Systemic", ui="D012595", major=True)],
        keywords=["nintedanib", "interstitial lung disease"],
        languages=["eng"],
        registry_ids=["NCT00000001"],
    )
    classification = Classification(
        pmid="90000001",
        relevance="core",
        relevance_score=0.92,
        design="rct",
        findings=[
            FindingJudgement(
                "ild-antifibrotic", "supports", 0.8, [Evidence("FVC fell.", [(0, 3)])]
            ),
            FindingJudgement("ssc-mortality", "inconclusive", 0.4),
        ],
        flags=["multicentre-rct"],
        priority=4.5,
        explanation="Multicentre RCT: nintedanib slowed FVC decline_rate by 50%.",
    )
    return ExportRow(article, classification, ["ssc-ild", "antifibrotics"], SEEN)


def _retracted() -> ExportRow:
    article = ArticleRecord(
        pmid="90000002",
        title="Retracted: a cohort of 12 patients",
        abstract_sections=[AbstractSection("", "", "Unstructured text with ~tilde and a^b.")],
        authors=[Author(last_name="Ng", initials="W")],
        journal_title="J Test",
        pages="e1234",
        pub_date_text="1990 Spring",
        pub_year=1990,
        pub_date=date(1990, 3, 1),
        comments_corrections=[CommentCorrection("RetractionIn", pmid="90000003")],
    )
    return ExportRow(article, None, [], None)


def _export(fmt: str, rows: list[ExportRow] | None = None) -> tuple[int, str]:
    out = io.StringIO(newline="")
    count = write_export(rows if rows is not None else [_trial(), _retracted()], fmt, out)
    return count, out.getvalue()


# --------------------------------------------------------------------------- helpers


@pytest.mark.parametrize(
    ("pages", "expected"),
    [
        ("123-9", ("123", "129")),
        ("1123-45", ("1123", "1145")),
        ("123-129", ("123", "129")),
        ("9-123", ("9", "123")),
        ("e1234", ("e1234", "")),
        ("S12-S15", ("S12", "S15")),
        ("12-4, 20", ("12-4, 20", "")),
        ("", ("", "")),
    ],
)
def test_split_pages(pages: str, expected: tuple[str, str]) -> None:
    assert split_pages(pages) == expected


@pytest.mark.parametrize(
    ("text", "when", "expected"),
    [
        ("2023 Feb 15", date(2023, 2, 15), (2023, 2, 15)),
        ("2023 Feb", date(2023, 2, 1), (2023, 2, None)),
        ("2023", date(2023, 1, 1), (2023, None, None)),
        ("1990 Spring", date(1990, 3, 1), (1990, None, None)),
        ("2013 Jan-Mar", date(2013, 1, 1), (2013, None, None)),
    ],
)
def test_date_parts_only_claims_what_pubmed_gave(
    text: str, when: date, expected: tuple[int, int | None, int | None]
) -> None:
    article = ArticleRecord(pmid="1", pub_date_text=text, pub_year=when.year, pub_date=when)
    assert date_parts(article) == expected


def test_unknown_format_names_the_formats() -> None:
    out = io.StringIO()
    with pytest.raises(ValueError) as excinfo:
        write_export([_trial()], "endnote", out)
    for fmt in FORMATS:
        assert fmt in str(excinfo.value)
    assert out.getvalue() == ""


@pytest.mark.parametrize("fmt", FORMATS)
def test_empty_export_counts_zero(fmt: str) -> None:
    count, text = _export(fmt, [])
    assert count == 0
    assert len(text.splitlines()) == (1 if fmt == "csv" else 0)  # CSV keeps its header


# --------------------------------------------------------------------------- JSON lines


def test_jsonl_keeps_everything_and_adds_plain_text() -> None:
    count, text = _export("jsonl")
    lines = text.splitlines()
    assert count == len(lines) == 2
    first, second = (json.loads(line) for line in lines)

    assert (
        ArticleRecord.from_dict(
            {k: v for k, v in first.items() if k in ArticleRecord.__dataclass_fields__}
        )
        == _trial().article
    )
    assert first["title"].startswith("Effect of <i>Nintedanib</i>")
    assert first["title_plain"].startswith("Effect of Nintedanib on")
    assert first["abstract_plain"] == (
        "BACKGROUND: Costs & benefits {were} unclear.\n"
        "RESULTS: FVC fell by 5% (p < 0.05) in the #2 arm."
    )
    assert Classification.from_dict(first["classification"]) == _trial().classification
    assert first["searches"] == ["ssc-ild", "antifibrotics"]
    assert datetime.fromisoformat(first["first_seen"]) == SEEN
    assert first["authors"][0]["last_name"] == "Müller"  # UTF-8, not \u escapes
    assert "Müller" in lines[0]

    assert second["classification"] is None
    assert second["first_seen"] is None
    assert second["retracted"] is True


def test_jsonl_line_separators_inside_text_do_not_split_records() -> None:
    row = _retracted()
    row.article.title = "One\u2028two\x85three"
    _, text = _export("jsonl", [row])
    assert len(text.splitlines()) == 1
    assert json.loads(text)["title"] == "One\u2028two\x85three"


# --------------------------------------------------------------------------- CSV


def test_csv_reads_back_with_dictreader() -> None:
    count, text = _export("csv")
    rows = list(csv.DictReader(io.StringIO(text, newline="")))
    assert count == len(rows) == 2
    first, second = rows

    assert first["pmid"] == "90000001"
    assert first["title"] == ("Effect of Nintedanib on lung function: a trial in 100% of centres")
    assert first["authors"] == "Müller AB; Okafor C; Scleroderma Lung Study Group"
    assert first["journal"] == "Arthritis & Rheumatology"
    assert first["year"] == "2023"
    assert first["pub_date"] == "2023-02-15"
    assert first["mesh"] == "Scleroderma, Systemic"
    assert first["keywords"] == "nintedanib; interstitial lung disease"
    assert first["registry_ids"] == "NCT00000001"
    assert first["retracted"] == "false"
    assert first["relevance"] == "core"
    assert float(first["relevance_score"]) == 0.92
    assert first["findings"] == "ild-antifibrotic:supports; ssc-mortality:inconclusive"
    assert first["flags"] == "multicentre-rct"
    assert first["searches"] == "ssc-ild; antifibrotics"
    assert datetime.fromisoformat(first["first_seen"]) == SEEN
    assert first["pubmed_url"] == "https://pubmed.ncbi.nlm.nih.gov/90000001/"
    # The abstract keeps its section breaks inside one quoted cell.
    assert first["abstract"].splitlines() == [
        "BACKGROUND: Costs & benefits {were} unclear.",
        "RESULTS: FVC fell by 5% (p < 0.05) in the #2 arm.",
    ]

    assert second["retracted"] == "true"
    assert second["relevance"] == second["findings"] == second["first_seen"] == ""


def test_csv_header_alone_when_nothing_to_export() -> None:
    _, text = _export("csv", [])
    reader = csv.DictReader(io.StringIO(text, newline=""))
    assert list(reader) == []
    assert reader.fieldnames is not None and reader.fieldnames[0] == "pmid"


# --------------------------------------------------------------------------- RIS


def _ris_records(text: str) -> list[list[tuple[str, str]]]:
    records: list[list[tuple[str, str]]] = []
    current: list[tuple[str, str]] = []
    for line in text.splitlines():
        if not line:
            continue
        match = re.fullmatch(r"([A-Z][A-Z0-9])  - (.*)", line)
        assert match, f"not a RIS line: {line!r}"
        tag, value = match.groups()
        current.append((tag, value))
        if tag == "ER":
            records.append(current)
            current = []
    assert current == [], "record without ER"
    return records


def _values(record: list[tuple[str, str]], tag: str) -> list[str]:
    return [v for t, v in record if t == tag]


def test_ris_one_record_per_article_with_plain_text() -> None:
    count, text = _export("ris")
    first, second = _ris_records(text)
    assert count == 2

    assert first[0] == ("TY", "JOUR")
    assert first[-1] == ("ER", "")
    assert [t for t, _ in first].count("TY") == 1
    assert _values(first, "TI") == [
        "Effect of Nintedanib on lung function: a trial in 100% of centres"
    ]
    assert _values(first, "AU") == [
        "Müller, Anna B",
        "Okafor, Chidi",
        "Scleroderma Lung Study Group",
    ]
    assert _values(first, "PY") == ["2023"]
    assert _values(first, "DA") == ["2023/02/15/"]
    assert _values(first, "T2") == ["Arthritis & Rheumatology"]
    assert _values(first, "J2") == ["Arthritis Rheumatol"]
    assert _values(first, "SN") == ["2326-5191"]
    assert _values(first, "VL") == ["75"]
    assert _values(first, "IS") == ["2"]
    assert _values(first, "SP") == ["123"]
    assert _values(first, "EP") == ["129"]
    assert _values(first, "AB") == [
        "BACKGROUND: Costs & benefits {were} unclear. "
        "RESULTS: FVC fell by 5% (p < 0.05) in the #2 arm."
    ]
    assert _values(first, "KW") == [
        "nintedanib",
        "interstitial lung disease",
        "Scleroderma, Systemic",
    ]
    assert _values(first, "DO") == ["10.5555/test.2023_001"]
    assert _values(first, "AN") == ["90000001"]
    assert _values(first, "UR") == ["https://pubmed.ncbi.nlm.nih.gov/90000001/"]
    assert _values(first, "LA") == ["eng"]
    (note,) = _values(first, "N1")
    assert "nintedanib slowed FVC decline_rate by 50%" in note
    assert "ild-antifibrotic:supports" in note
    assert "ssc-mortality:inconclusive" in note
    assert "<" not in "".join(v for t, v in first if t != "AB")  # no markup left

    assert len(_values(second, "AU")) == 1
    assert _values(second, "DA") == ["1990///1990 Spring"]
    assert _values(second, "SP") == ["e1234"]
    assert _values(second, "EP") == []
    assert _values(second, "N1") == ["RETRACTED."]


# --------------------------------------------------------------------------- BibTeX


_SPACE = re.compile(r"\s*")


def _bibtex_entries(text: str) -> list[tuple[str, str, dict[str, str]]]:
    """(type, key, fields) per entry; fails on braces BibTeX itself would not balance."""
    entries = []
    pos = 0
    while (at := text.find("@", pos)) != -1:
        head = re.compile(r"@(\w+)\{([^,\s]+),").match(text, at)
        assert head, f"bad entry head at {at}"
        kind, key = head.groups()
        fields: dict[str, str] = {}
        pos = head.end()
        while True:
            pos = _SPACE.match(text, pos).end()  # type: ignore[union-attr]
            if text[pos] == "}":
                pos += 1
                break
            name = re.compile(r"(\w+)\s*=\s*").match(text, pos)
            assert name, f"bad field at {text[pos : pos + 30]!r}"
            pos = name.end()
            if text[pos] == "{":
                depth, start = 0, pos
                while True:
                    # BibTeX counts every brace, backslash or not.
                    depth += {"{": 1, "}": -1}.get(text[pos], 0)
                    pos += 1
                    if depth == 0:
                        break
                    assert pos < len(text), "unbalanced braces"
                value = text[start + 1 : pos - 1]
            else:
                bare = re.compile(r"\w+").match(text, pos)
                assert bare
                value, pos = bare.group(), bare.end()
            fields[name.group(1)] = value
            pos = pos + 1 if text[pos] == "," else pos
        entries.append((kind, key, fields))
    return entries


def test_bibtex_entries_parse_with_balanced_braces() -> None:
    count, text = _export("bibtex")
    entries = _bibtex_entries(text)
    assert count == len(entries) == 2
    (kind, key, first), (_, key2, second) = entries

    assert (kind, key, key2) == ("article", "pmid90000001", "pmid90000002")
    assert first["title"] == (r"Effect of Nintedanib on lung function: a trial in 100\% of centres")
    assert first["author"] == "Müller, Anna B and Okafor, Chidi and {Scleroderma Lung Study Group}"
    assert first["journal"] == r"Arthritis \& Rheumatology"
    assert first["year"] == "2023"
    assert first["month"] == "feb"
    assert first["volume"] == "75"
    assert first["number"] == "2"
    assert first["pages"] == "123--129"
    assert first["doi"] == "10.5555/test.2023_001"
    assert first["pmid"] == "90000001"
    assert first["keywords"] == "nintedanib, interstitial lung disease, {Scleroderma, Systemic}"
    assert first["note"] == r"Multicentre RCT: nintedanib slowed FVC decline\_rate by 50\%."
    abstract = first["abstract"]
    assert r"Costs \& benefits \textbraceleft{}were\textbraceright{} unclear." in abstract
    assert r"FVC fell by 5\% (p \textless{} 0.05) in the \#2 arm." in abstract

    assert "month" not in second  # a season is no month
    assert second["pages"] == "e1234"
    assert second["note"] == "RETRACTED."
    assert r"\textasciitilde{}tilde and a\textasciicircum{}b." in second["abstract"]


@pytest.mark.parametrize("raw", ["}{", "a\\b", "50% & $5 #1 x_y", "{{{", "~^", "and } or {"])
def test_bibtex_specials_never_leave_raw(raw: str) -> None:
    row = _retracted()
    row.article.title = raw.replace("&", "&amp;")
    _, text = _export("bibtex", [row])
    ((_, _, fields),) = _bibtex_entries(text)
    unescaped = re.sub(
        r"\\(textbackslash|textbraceleft|textbraceright|textasciitilde|"
        r"textasciicircum|textless|textgreater|textbar)\{\}|\\[&%$#_]",
        "",
        fields["title"],
    )
    assert not set(unescaped) & set("{}\\&%$#_~^")
