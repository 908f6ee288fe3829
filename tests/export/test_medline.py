"""MEDLINE (.nbib) export read back with Biopython, and our own .nbib reader on it."""

from __future__ import annotations

import io

from Bio import Medline

from litwatch.export.formats import write_export
from litwatch.export.medline import WIDTH, medline_lines
from litwatch.export.rows import ExportRow
from litwatch.pubmed.markup import to_plain
from litwatch.pubmed.nbib import looks_like_medline, parse_nbib
from tests.export.test_formats import _retracted, _trial


def _nbib() -> str:
    out = io.StringIO()
    assert write_export([_trial(), _retracted()], "medline", out) == 2
    return out.getvalue()


def test_biopython_reads_every_field_back() -> None:
    trial, retracted = Medline.parse(io.StringIO(_nbib()))
    assert trial["PMID"] == "90000001"
    assert trial["TI"] == "Effect of Nintedanib on lung function: a trial in 100% of centres"
    assert trial["AB"].startswith("BACKGROUND: Costs & benefits {were} unclear. RESULTS: FVC")
    assert trial["FAU"] == ["Müller, Anna B", "Okafor, Chidi"]
    assert trial["AU"] == ["Müller AB", "Okafor C"]
    assert trial["CN"] == ["Scleroderma Lung Study Group"]
    assert trial["DP"] == "2023 Feb 15"
    assert (trial["TA"], trial["JT"]) == ("Arthritis Rheumatol", "Arthritis & Rheumatology")
    assert (trial["VI"], trial["IP"], trial["PG"]) == ("75", "2", "123-9")
    assert trial["LID"] == "10.5555/test.2023_001 [doi]"
    assert trial["AID"] == ["10.5555/test.2023_001 [doi]"]
    assert trial["PT"] == ["Journal Article", "Randomized Controlled Trial"]
    assert trial["MH"] == ["*Scleroderma, Systemic"]
    assert trial["OT"] == ["nintedanib", "interstitial lung disease"]
    assert trial["SI"] == ["NCT00000001"]
    assert "relevance core; design rct" in trial["GN"][0]
    assert "RETRACTED" not in trial["GN"][0]
    source = "Arthritis Rheumatol. 2023 Feb 15;75(2):123-9. doi: 10.5555/test.2023_001."
    assert trial["SO"] == source
    # A retracted article says so twice: in its publication types and in the note.
    assert retracted["PMID"] == "90000002"
    assert "Retracted Publication" in retracted["PT"]
    assert retracted["GN"][0].startswith("RETRACTED.")
    assert retracted["RIN"] == ["PMID: 90000003"]


def test_lines_keep_the_six_column_layout() -> None:
    text = _nbib()
    for line in text.splitlines():
        assert line == "" or line[4:6] == "- " or line.startswith(" " * 6), line
        assert len(line) <= WIDTH or " " not in line[6:], line
    # The long abstract goes on over continuation lines, joined back to the same words.
    lines = medline_lines("AB", "word " * 60)
    assert len(lines) > 2 and all(x.startswith("      ") for x in lines[1:])
    assert lines[0].startswith("AB  - word")


def test_our_reader_takes_the_export_back() -> None:
    text = _nbib()
    assert looks_like_medline(text)
    batch = parse_nbib(text)
    assert batch.errors == []
    trial, retracted = batch.articles
    original = _trial().article
    assert trial.pmid == original.pmid and trial.doi == original.doi
    assert to_plain(trial.title) == to_plain(original.title)
    assert [(a.last_name, a.fore_name, a.initials) for a in trial.authors[:2]] == [
        ("Müller", "Anna B", "AB"),
        ("Okafor", "Chidi", "C"),
    ]
    assert trial.authors[2].collective_name == "Scleroderma Lung Study Group"
    assert (trial.pub_year, trial.pub_date) == (original.pub_year, original.pub_date)
    assert trial.mesh[0].descriptor == "Scleroderma, Systemic" and trial.mesh[0].major
    assert trial.registry_ids == ["NCT00000001"]
    assert trial.journal_title == "Arthritis &amp; Rheumatology"  # stored as safe markup
    assert retracted.retracted
    assert retracted.comments_corrections[0].pmid == "90000003"


def test_a_bad_record_is_named_and_the_rest_read() -> None:
    text = "PMID- 123\nTI  - Fine\n\nTI  - No id here\n\nPMID- abc\nTI  - Bad id\n\nPMID- 456\n"
    batch = parse_nbib(text)
    assert [a.pmid for a in batch.articles] == ["123", "456"]
    assert batch.errors == ["record 2: no PMID line", "record 3: PMID 'abc' is not a number"]
    assert not looks_like_medline("12345\n67890\n")


def test_a_pubmed_style_file_is_read_in_full() -> None:
    from tests.helpers.paths import TEST_DATA

    text = (TEST_DATA / "nbib" / "two-records.nbib").read_text(encoding="utf-8")
    batch = parse_nbib(text)
    assert batch.errors == []
    trial, retracted = batch.articles
    assert trial.pmid == "91000001"
    assert to_plain(trial.title).startswith("Rituximab versus placebo for skin fibrosis in early")
    assert "written for litwatch's tests." in trial.title  # the continuation line joined
    assert trial.doi == "10.9999/litwatch.nbib.1" and trial.pii == "kead123"
    assert trial.issn == "1462-0332"
    assert (trial.volume, trial.issue, trial.pages) == ("63", "4", "1012-1020")
    assert trial.pub_year == 2024 and trial.pub_date is not None and trial.pub_date.month == 4
    assert "RESULTS: At 24 weeks the mRSS fell by 6.1 points" in trial.abstract
    assert [(a.last_name, a.fore_name, a.initials) for a in trial.authors[:2]] == [
        ("Ebenezer", "Ngozi A", "NA"),
        ("van der Berg", "Pieter", "P"),
    ]
    assert trial.authors[2].collective_name == "Made-up SSc Trial Group"
    assert trial.registry_ids == ["NCT09990001"]
    assert trial.publication_types == ["Journal Article", "Randomized Controlled Trial"]
    heading = trial.mesh[1]
    assert (heading.descriptor, heading.major) == ("Scleroderma, Diffuse", True)
    assert heading.qualifiers == [("drug therapy", False), ("pathology", False)]
    assert trial.mesh[2].qualifiers == [("therapeutic use", True)]
    assert trial.keywords == ["B-cell depletion", "skin score"]
    assert str(trial.electronic_date) == "2024-01-10" and str(trial.create_date) == "2024-01-10"
    assert (trial.journal_iso, trial.publication_status) == ("Rheumatology (Oxford)", "ppublish")
    assert retracted.retracted and retracted.pub_year == 2023
    assert retracted.comments_corrections[0].ref_type == "RetractionIn"
    assert retracted.comments_corrections[0].pmid == "91000003"
    # Written out again, it reads back the same.
    out = io.StringIO()
    write_export([ExportRow(a) for a in batch.articles], "medline", out)
    again = parse_nbib(out.getvalue())
    assert [a.to_dict() for a in again.articles] == [a.to_dict() for a in batch.articles]
