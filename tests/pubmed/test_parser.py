"""The streaming PubMed parser on our own hand-written efetch answers."""

from __future__ import annotations

import io
import logging
from datetime import date

import pytest

from litwatch.errors import ParseError
from litwatch.pubmed.markup import to_plain
from litwatch.pubmed.parser import (
    BOOK,
    DELETED,
    FAILED,
    iter_pubmed_xml,
    normalise_orcid,
    parse_pub_date,
    parse_pubmed_xml,
)
from litwatch.records import AbstractSection, Author, CommentCorrection, MeshHeading
from tests.helpers.paths import TEST_DATA

DATA = TEST_DATA / "pubmed"
SET = DATA / "ssc_rituximab_set.xml"


@pytest.fixture(scope="module")
def batch():  # type: ignore[no-untyped-def]
    return parse_pubmed_xml(SET)


@pytest.fixture(scope="module")
def trial(batch):  # type: ignore[no-untyped-def]
    return next(a for a in batch.articles if a.pmid == "99000101")


def test_batch_sorts_every_kind_of_record(batch) -> None:  # type: ignore[no-untyped-def]
    assert [a.pmid for a in batch.articles] == ["99000101", "99000102", "99000103"]
    assert batch.deleted_pmids == ["99000180", "99000181"]
    assert batch.book_pmids == ["99000190"]
    # The PMID-less record and the one whose conversion raises, in document order.
    assert batch.failed_pmids == ["", "99000104"]


def test_identifiers(trial) -> None:  # type: ignore[no-untyped-def]
    assert (trial.pmid, trial.pmid_version) == ("99000101", 2)
    assert trial.doi == "10.9999/jirf.2023.0101"
    assert trial.pmcid == "PMC9990101"
    assert trial.pii == "JIRF-2023-0101"
    assert trial.status == "MEDLINE"
    assert trial.publication_status == "ppublish"


def test_title_keeps_inline_markup(trial) -> None:  # type: ignore[no-untyped-def]
    assert trial.title == (
        "Repeated <i>rituximab</i> courses and CD19<sup>+</sup> B-cell depletion in diffuse "
        "cutaneous systemic sclerosis: a multicentre randomised trial."
    )
    assert trial.vernacular_title.startswith("Cures répétées de rituximab")


def test_structured_abstract(trial) -> None:  # type: ignore[no-untyped-def]
    labels = [(s.label, s.nlm_category) for s in trial.abstract_sections]
    assert labels == [
        ("BACKGROUND", "BACKGROUND"),
        ("METHODS", "METHODS"),
        ("RESULTS", "RESULTS"),
        ("CONCLUSIONS", "CONCLUSIONS"),
    ]
    results = trial.abstract_sections[2].text
    # A '<' and '&' of the text are escaped, the inline tag is kept, nothing is cut.
    assert "P &lt; 0.001) when CD4 &lt; 200 cells/µL was excluded &amp; peripheral" in results
    assert "CD19<sup>+</sup> counts stayed below 5 cells/µL; FVC% rose by 3.1." in results
    assert "CO<sub>2</sub>-corrected DLCO" in trial.abstract_sections[1].text
    assert trial.abstract.startswith("BACKGROUND: B cells drive")
    assert "Résumé" not in trial.abstract  # OtherAbstract is not the abstract
    assert trial.copyright == "© 2023 The Imaginary Society &amp; its authors."


def test_authors(trial) -> None:  # type: ignore[no-untyped-def]
    first, second, group = trial.authors  # the ValidYN="N" misspelling is left out
    assert first == Author(
        last_name="Okonkwo-Haldane",
        fore_name="Adaeze M",
        initials="AM",
        orcid="0000-0002-1825-009X",
        affiliations=[
            "Department of Rheumatology, Northgate University Hospital, Leeds, UK.",
            "Fibrosis &amp; Immunity Unit, Institute of Made-up Medicine, Lyon, France.",
        ],
    )
    assert second.orcid == "0000-0003-1234-5678"
    assert group.collective_name == "SCLERO-B Trial Investigators"
    assert group.display == "SCLERO-B Trial Investigators"
    assert first.display == "Okonkwo-Haldane AM"


def test_journal_and_dates(trial) -> None:  # type: ignore[no-untyped-def]
    assert trial.journal_title == "Journal of Imaginary Rheumatology &amp; Fibrosis"
    assert trial.journal_iso == "J Imag Rheumatol Fibros"
    assert (trial.issn, trial.volume, trial.issue, trial.pages) == (
        "2999-0101",
        "41",
        "3",
        "210-219",
    )
    assert (trial.pub_date_text, trial.pub_year, trial.pub_date) == (
        "2023 Feb 15",
        2023,
        date(2023, 2, 15),
    )
    assert trial.electronic_date == date(2023, 1, 9)
    assert trial.entrez_date == date(2023, 1, 9)
    assert trial.create_date == date(2023, 1, 10)


def test_lists(trial) -> None:  # type: ignore[no-untyped-def]
    assert trial.publication_types == [
        "Randomized Controlled Trial",
        "Multicenter Study",
        "Journal Article",
    ]
    assert trial.mesh == [
        MeshHeading(
            "Scleroderma, Systemic",
            "D012595",
            False,
            [("drug therapy", True), ("immunology", False)],
        ),
        MeshHeading("Rituximab", "D000069283", True, []),
        MeshHeading("Humans", "D006801", False, []),
    ]
    assert trial.keywords == ["B-cell depletion", "<i>MS4A1</i>", "modified Rodnan skin score"]
    assert trial.languages == ["eng", "fre"]
    assert trial.registry_ids == ["NCT09990101", "2099-000101-11", "2099-000101-12"]
    assert trial.databanks == {
        "ClinicalTrials.gov": ["NCT09990101"],
        "EudraCT": ["2099-000101-11", "2099-000101-12"],
    }
    assert [(c.ref_type, c.pmid) for c in trial.comments_corrections] == [
        ("CommentIn", "99000150"),
        ("ErratumIn", "99000151"),
        ("UpdateIn", "99000152"),
    ]
    assert trial.comments_corrections[1].source == "J Imag Rheumatol Fibros. 2023 Jun;41(6):455."
    assert not trial.retracted


def test_retracted_article_with_medline_date_and_elocation_fallback(batch) -> None:  # type: ignore[no-untyped-def]
    pilot = batch.articles[1]
    assert pilot.retracted
    assert pilot.comments_corrections == [
        CommentCorrection("RetractionIn", "99000103", "Arch Invent Dermatol. 2001 Mar;15(1):5.")
    ]
    assert (pilot.pub_date_text, pilot.pub_year, pilot.pub_date) == (
        "1998 Dec-1999 Jan",
        1998,
        date(1998, 12, 1),
    )
    # No doi/pii in ArticleIdList: ELocationID fills them, skipping the invalid one.
    assert pilot.doi == "10.9999/aid.1998.102"
    assert pilot.pii == "S2999-0202(98)00102-7"
    assert pilot.pages == "e101-e108"  # StartPage-EndPage when MedlinePgn is absent
    assert pilot.issue == "Suppl 2"
    assert pilot.status == "PubMed-not-MEDLINE"
    assert pilot.abstract_sections == [
        AbstractSection(
            "",
            "",
            "Nine patients with early diffuse SSc received two infusions of rituximab. "
            "Skin scores improved in six; one infusion reaction was seen.",
        )
    ]
    assert pilot.electronic_date is None


def test_retraction_notice_with_season(batch) -> None:  # type: ignore[no-untyped-def]
    notice = batch.articles[2]
    assert notice.is_retraction_notice
    assert notice.comments_corrections[0].ref_type == "RetractionOf"
    assert (notice.pub_date_text, notice.pub_date) == ("2001 Spring", date(2001, 3, 1))
    assert notice.abstract_sections == [] and notice.authors == []


def test_bad_records_are_logged_and_skipped(caplog: pytest.LogCaptureFixture) -> None:
    with caplog.at_level(logging.INFO, logger="litwatch.pubmed.parser"):
        parse_pubmed_xml(SET)
    warnings = [r.getMessage() for r in caplog.records if r.levelno == logging.WARNING]
    assert any("99000104" in m for m in warnings)
    assert any("(unknown)" in m for m in warnings)
    infos = [r.getMessage() for r in caplog.records if r.levelno == logging.INFO]
    assert any("99000190" in m and "book" in m for m in infos)


def test_iter_yields_in_document_order() -> None:
    kinds = [item[0] if isinstance(item, tuple) else item.pmid for item in iter_pubmed_xml(SET)]
    assert kinds == [
        "99000101",
        "99000102",
        FAILED,
        FAILED,
        "99000103",
        BOOK,
        DELETED,
        DELETED,
    ]


@pytest.mark.parametrize("kind", ["bytes", "str-xml", "path", "str-path", "file"])
def test_every_kind_of_source(kind: str) -> None:
    data = SET.read_bytes()
    source = {
        "bytes": data,
        "str-xml": data.decode("utf-8"),
        "path": SET,
        "str-path": str(SET),
        "file": io.BytesIO(data),
    }[kind]
    assert [a.pmid for a in parse_pubmed_xml(source).articles] == [
        "99000101",
        "99000102",
        "99000103",
    ]


def test_str_source_with_a_foreign_encoding_declaration() -> None:
    text = SET.read_text("utf-8").replace(
        '<?xml version="1.0" ?>', '<?xml version="1.0" encoding="ISO-8859-1"?>'
    )
    article = parse_pubmed_xml(text).articles[0]
    assert article.vernacular_title.startswith("Cures répétées")


def test_markup_edge_cases() -> None:
    (article,) = parse_pubmed_xml(DATA / "markup_edge.xml").articles
    # mml:math becomes its text; nested inline tags and the text after each child survive.
    assert article.title == (
        "Serum IgA, <b><i>FCGR3A</i></b> 158V/F and response to rituximab (P&lt;0.05) in "
        "SSc-ILD<sup>a</sup>"
    )
    (section,) = article.abstract_sections
    assert section.text.startswith(
        "Text that merely mentions &lt;script&gt;alert(1)&lt;/script&gt; or &lt;i&gt; stays text."
    )
    assert "<u>before</u> treatment went with a larger FVC% gain" in section.text
    assert "H<sub>2</sub>O<sub>2</sub>-free <i>in vitro</i> assays." in section.text
    assert to_plain(section.text).endswith("H2O2-free in vitro assays.")
    assert article.authors[0].affiliations == [
        "Clinic for Invented Diseases, Cape Town &lt;South Africa&gt;."
    ]
    assert article.authors[0].orcid == "0000-0001-5109-3700"
    assert (article.pub_date_text, article.pub_date) == ("2024 11", date(2024, 11, 1))
    assert article.doi == "10.9999/irimm.2024.201"


def test_truncated_document_keeps_what_came_before(caplog: pytest.LogCaptureFixture) -> None:
    with caplog.at_level(logging.WARNING, logger="litwatch.pubmed.parser"):
        batch = parse_pubmed_xml(DATA / "truncated.xml")
    assert [a.pmid for a in batch.articles] == ["99000301", "99000302"]
    assert batch.failed_pmids == ["99000303"]  # the record that was cut
    assert "99000303" in caplog.text


def test_empty_set_is_an_empty_batch() -> None:
    batch = parse_pubmed_xml(DATA / "empty_set.xml")
    assert (batch.articles, batch.deleted_pmids, batch.failed_pmids) == ([], [], [])


def test_ncbi_error_answer_raises_with_its_message() -> None:
    with pytest.raises(ParseError, match="Cannot retrieve history data"):
        parse_pubmed_xml(DATA / "efetch_error.xml")


@pytest.mark.parametrize(
    "data",
    [
        b"",
        b"Service unavailable",
        b"<html><body>Bad gateway",
        b'<?xml version="1.0"?>\n<PubmedArticleSet><PubmedArticle><MedlineCitation>',
        b"<eSearchResult><Count>0</Count></eSearchResult>",
    ],
)
def test_unreadable_documents_raise_parse_error(data: bytes) -> None:
    with pytest.raises(ParseError):
        parse_pubmed_xml(data)


def test_memory_is_released_as_records_go_by(monkeypatch: pytest.MonkeyPatch) -> None:
    """Records already converted are gone from the tree; only lxml's read-ahead is held."""
    import litwatch.pubmed.parser as pubmed

    record = SET.read_text("utf-8").split("<PubmedArticle>")[1].split("</PubmedArticle>")[0]
    body = "".join(
        f"<PubmedArticle>{record.replace('99000101', str(70000000 + i))}</PubmedArticle>"
        for i in range(2000)
    )
    data = f"<PubmedArticleSet>{body}</PubmedArticleSet>".encode()
    held: list[int] = []
    convert = pubmed._convert

    def watching(elem):  # type: ignore[no-untyped-def]
        # Earlier records are deleted; only the one just before stays, emptied.
        before = elem.getprevious()
        assert before is None or (len(before) == 0 and before.getprevious() is None)
        held.append(len(elem.getparent()))  # this one and those parsed ahead of it
        return convert(elem)

    monkeypatch.setattr(pubmed, "_convert", watching)
    pmids = [a.pmid for a in parse_pubmed_xml(data).articles]
    assert pmids == [str(70000000 + i) for i in range(2000)]
    assert max(held) < 50


@pytest.mark.parametrize(
    ("text", "year", "first_day"),
    [
        ("2023 Feb 15", 2023, date(2023, 2, 15)),
        ("2017 06", 2017, date(2017, 6, 1)),
        ("2018", 2018, date(2018, 1, 1)),
        ("1990 Spring", 1990, date(1990, 3, 1)),
        ("1995 Summer", 1995, date(1995, 6, 1)),
        ("1995 Fall", 1995, date(1995, 9, 1)),
        ("1995 Autumn", 1995, date(1995, 9, 1)),
        ("1996 Winter", 1996, date(1996, 1, 1)),
        ("2013 Jan-Mar", 2013, date(2013, 1, 1)),
        ("1998 Dec-1999 Jan", 1998, date(1998, 12, 1)),
        ("2000 Spring-Summer", 2000, date(2000, 3, 1)),
        ("2001 Jan 15-21", 2001, date(2001, 1, 15)),
        ("1975-1976", 1975, date(1975, 1, 1)),
        ("2019 February", 2019, date(2019, 2, 1)),
        ("2021 Feb 30", 2021, date(2021, 2, 1)),
        ("undated", None, None),
        ("", None, None),
    ],
)
def test_parse_pub_date(text: str, year: int | None, first_day: date | None) -> None:
    assert parse_pub_date(text) == (year, first_day)


@pytest.mark.parametrize(
    ("raw", "orcid"),
    [
        ("0000-0002-1825-0097", "0000-0002-1825-0097"),
        ("https://orcid.org/0000-0002-1825-009X", "0000-0002-1825-009X"),
        ("http://orcid.org/0000000218250097", "0000-0002-1825-0097"),
        (" 0000 0002 1825 0097 ", "0000-0002-1825-0097"),
        ("not an orcid", "not an orcid"),
    ],
)
def test_normalise_orcid(raw: str, orcid: str) -> None:
    assert normalise_orcid(raw) == orcid
