"""Both PubMed parsers on real NCBI answers (read in place) and on our own files.

The streaming lxml parser must read every real PubmedArticleSet; wherever Biopython can read
the same bytes, the two parsers must agree on every field of every record.
"""

from __future__ import annotations

import socket
import socketserver
import threading
from collections.abc import Iterator
from datetime import date
from pathlib import Path

import pytest

from litwatch.errors import ParseError
from litwatch.pubmed.parser import parse_pubmed_xml
from litwatch.records import ParsedBatch
from tests.helpers.paths import TEST_DATA
from tests.helpers.pubmed_reference import parse_with_entrez

OWN = TEST_DATA / "pubmed"


def cassette_xml(path: Path) -> bytes:
    """The response body of a VCR cassette: a single-quoted, line-folded YAML scalar."""
    lines = path.read_text("utf-8").splitlines()
    start = next(i for i, line in enumerate(lines) if line.lstrip().startswith("string: '"))
    first = lines[start].split("string: '", 1)[1]
    folded: list[str] = [first.rstrip()]
    for line in lines[start + 1 :]:
        folded.append(line.strip())
        if line.rstrip().endswith("'") and not line.rstrip().endswith("''"):
            break
    # YAML folding: a line break is a space, each empty line is a newline.
    text, pending_newlines = folded[0], 0
    for line in folded[1:]:
        if not line:
            pending_newlines += 1
            continue
        text += ("\n" * pending_newlines) if pending_newlines else " "
        text += line
        pending_newlines = 0
    return text[: text.rindex("'")].replace("''", "'").encode("utf-8")


def real_article_sets(root: Path) -> dict[str, bytes]:
    """Every real answer under ``root`` whose document is a PubmedArticleSet, by name."""
    found = {}
    for path in sorted(p for p in root.rglob("*") if p.is_file() and p.name != "README.md"):
        data = path.read_bytes() if path.suffix == ".xml" else cassette_xml(path)
        if b"<PubmedArticleSet" in data[:2000]:
            found[str(path.relative_to(root))] = data
    return found


@pytest.fixture(scope="module")
def real_sets() -> dict[str, bytes]:
    from tests.conftest import SHARED_FIXTURES

    if not SHARED_FIXTURES.is_dir():
        pytest.skip("../shared/fixtures/eutils is not beside this checkout")
    return real_article_sets(SHARED_FIXTURES)


@pytest.fixture(scope="module")
def parsed(real_sets: dict[str, bytes]) -> dict[str, ParsedBatch]:
    return {name: parse_pubmed_xml(data) for name, data in real_sets.items()}


def article(parsed: dict[str, ParsedBatch], pmid: str):  # type: ignore[no-untyped-def]
    for batch in parsed.values():
        for record in batch.articles:
            if record.pmid == pmid:
                return record
    raise AssertionError(f"PMID {pmid} not parsed")


def test_every_real_article_set_parses(
    shared_fixtures: Path, real_sets: dict[str, bytes], parsed: dict[str, ParsedBatch]
) -> None:
    assert len(real_sets) >= 20  # 17 .xml answers and 3 cassettes at the time of writing
    assert "Klortho-Eutils-JSON/efetch.pubmed.xml" in real_sets  # http:// DOCTYPE
    assert "biocommons-eutils/test_efetch" in real_sets
    for name, batch in parsed.items():
        assert batch.failed_pmids == [], name
        for record in batch.articles:
            assert record.pmid.isdigit(), name
            assert record.title or record.vernacular_title, (name, record.pmid)
            assert record.journal_title, (name, record.pmid)
            assert record.pub_year, (name, record.pmid)
            assert record.languages, (name, record.pmid)
    total = sum(len(b.articles) for b in parsed.values())
    assert total >= 20


def test_known_facts_of_the_real_records(parsed: dict[str, ParsedBatch]) -> None:
    nejm = article(parsed, "29768149")
    assert nejm.registry_ids == ["NCT02149199"]
    assert nejm.databanks == {"ClinicalTrials.gov": ["NCT02149199"]}
    assert "Randomized Controlled Trial" in nejm.publication_types
    assert [c.ref_type for c in nejm.comments_corrections].count("CommentIn") == 2
    assert len(nejm.abstract_sections) > 1

    tin_oxide = article(parsed, "38914053")
    assert tin_oxide.title.startswith("Doped SnO<sub>2</sub>thin films fabricated")
    assert tin_oxide.title.endswith("incorporation of niobium atoms.")
    assert tin_oxide.doi == "10.1088/1361-6528/ad5afd"

    erratum = article(parsed, "38833988")
    assert ("ErratumFor", "33279609") in [
        (c.ref_type, c.pmid) for c in erratum.comments_corrections
    ]
    assert ("ErratumIn", "35767954") in [
        (c.ref_type, c.pmid) for c in article(parsed, "35649368").comments_corrections
    ]
    assert ("UpdateOf", "35794888") in [
        (c.ref_type, c.pmid) for c in article(parsed, "36156117").comments_corrections
    ]

    liver = article(parsed, "23657305")
    assert (liver.pub_date_text, liver.pub_date) == ("2013 Jan-Mar", date(2013, 1, 1))
    aids = article(parsed, "12091962")
    assert (aids.pub_date_text, aids.pub_date) == ("1990 Spring", date(1990, 3, 1))

    norwegian = article(parsed, "36987902")
    assert norwegian.languages == ["eng", "nor"] and norwegian.vernacular_title

    eflm = article(parsed, "38534005")
    assert any(a.collective_name for a in eflm.authors)
    assert len(eflm.abstract_sections) == 7

    imaging = article(parsed, "29963580")
    assert any(a.collective_name for a in imaging.authors)
    assert any(len(a.orcid) == 19 and a.orcid[4] == "-" for a in imaging.authors)
    assert any(len(a.affiliations) > 1 for a in imaging.authors)

    telomere = article(parsed, "27797938")
    assert "<i>TERT</i>" in telomere.title
    assert (telomere.pmcid, telomere.doi) == ("PMC5442267", "10.1136/gutjnl-2016-312510")
    assert any(q[1] for m in telomere.mesh for q in m.qualifiers)
    assert "&lt;" in telomere.abstract

    assert "<u>" in article(parsed, "28775130").abstract
    lactate = article(parsed, "30108519")
    assert "mml" not in lactate.abstract and "math" not in lactate.abstract
    aspire = article(parsed, "23121403")
    assert any(a.collective_name == "ASPIRE Investigators" for a in aspire.authors)


def test_empty_answer_and_book_article(parsed: dict[str, ParsedBatch]) -> None:
    assert parsed["metapub/37909814.xml"] == ParsedBatch()
    book = parsed["Klortho-Eutils-JSON/efetch.pubmedbook.xml"]
    assert (book.articles, book.book_pmids) == ([], ["20301295"])


def test_error_answers_raise_parse_error(shared_fixtures: Path) -> None:
    for name in ("epost2.xml", "esummary8.xml", "Klortho-Eutils-JSON/esearch.baderror.xml"):
        with pytest.raises(ParseError, match="NCBI answered with an error"):
            parse_pubmed_xml(shared_fixtures / name)
    with pytest.raises(ParseError, match="eSearchResult"):
        parse_pubmed_xml(shared_fixtures / "esearch1.xml")


def _own_files() -> list[Path]:
    return sorted(p for p in OWN.glob("*.xml") if p.name not in ("truncated.xml",))


def assert_same(fast: ParsedBatch, reference: ParsedBatch, name: str) -> None:
    assert fast.deleted_pmids == reference.deleted_pmids, name
    assert fast.book_pmids == reference.book_pmids, name
    assert fast.failed_pmids == reference.failed_pmids, name
    assert [a.pmid for a in fast.articles] == [a.pmid for a in reference.articles], name
    for mine, theirs in zip(fast.articles, reference.articles, strict=True):
        got, want = mine.to_dict(), theirs.to_dict()
        for key in want:
            assert got[key] == want[key], f"{name} PMID {mine.pmid} field {key}"


def test_lxml_agrees_with_biopython_on_real_records(real_sets: dict[str, bytes]) -> None:
    compared = 0
    for name, data in real_sets.items():
        if b'"http://' in data[:400]:
            continue  # Biopython refuses these DOCTYPEs (checked below)
        assert_same(parse_pubmed_xml(data), parse_with_entrez(data), name)
        compared += 1
    assert compared >= 18


@pytest.mark.parametrize("path", _own_files(), ids=lambda p: p.name)
def test_lxml_agrees_with_biopython_on_our_files(path: Path) -> None:
    data = path.read_bytes()
    if b"<eFetchResult" in data:
        with pytest.raises(ParseError):
            parse_with_entrez(data)
        return
    assert_same(parse_pubmed_xml(data), parse_with_entrez(data), path.name)


def test_biopython_refuses_http_doctype_with_a_clear_error(shared_fixtures: Path) -> None:
    data = (shared_fixtures / "Klortho-Eutils-JSON" / "efetch.pubmed.xml").read_bytes()
    with pytest.raises(ParseError, match="Expected secure URL"):
        parse_with_entrez(data)
    assert [a.pmid for a in parse_pubmed_xml(data).articles] == ["17284678", "9997"]


def test_biopython_reference_reads_the_malformed_records_like_the_fast_parser() -> None:
    batch = parse_with_entrez((OWN / "ssc_rituximab_set.xml").read_bytes())
    assert batch.failed_pmids == ["", "99000104"]
    assert batch.deleted_pmids == ["99000180", "99000181"]
    assert batch.book_pmids == ["99000190"]


DOCTYPES = {
    "http": "http://www.ncbi.nlm.nih.gov/corehtml/query/DTD/pubmed_130101.dtd",
    "https-known": "https://dtd.nlm.nih.gov/ncbi/pubmed/out/pubmed_250101.dtd",
    "https-unknown": "https://dtd.nlm.nih.gov/ncbi/pubmed/out/pubmed_990101.dtd",
    "elsewhere": "https://example.invalid/pubmed.dtd",
}


@pytest.fixture
def connections(monkeypatch: pytest.MonkeyPatch) -> list[object]:
    """Every attempt to connect a socket or resolve a name, recorded (and still refused)."""
    attempts: list[object] = []
    real_connect, real_getaddrinfo = socket.socket.connect, socket.getaddrinfo

    def connect(self: socket.socket, address: object) -> None:
        attempts.append(address)
        real_connect(self, address)

    def getaddrinfo(host: object, *args: object, **kwargs: object) -> object:
        attempts.append(host)
        return real_getaddrinfo(host, *args, **kwargs)  # type: ignore[arg-type]

    monkeypatch.setattr(socket.socket, "connect", connect)
    monkeypatch.setattr(socket, "getaddrinfo", getaddrinfo)
    return attempts


@pytest.mark.parametrize("kind", sorted(DOCTYPES))
def test_no_parser_reaches_out_for_a_dtd(kind: str, connections: list[object]) -> None:
    text = (OWN / "ssc_rituximab_set.xml").read_text("utf-8")
    data = text.replace(DOCTYPES["https-known"], DOCTYPES[kind]).encode("utf-8")
    assert DOCTYPES[kind].encode() in data

    batch = parse_pubmed_xml(data)
    assert [a.pmid for a in batch.articles] == ["99000101", "99000102", "99000103"]

    if kind == "https-known":
        assert len(parse_with_entrez(data).articles) == 3
    else:
        with pytest.raises(ParseError):
            parse_with_entrez(data)
    assert connections == []


@pytest.fixture
def listener() -> Iterator[tuple[str, list[str]]]:
    """A loopback TCP server that records every connection made to it, then hangs up."""
    hits: list[str] = []

    class Record(socketserver.BaseRequestHandler):
        def handle(self) -> None:
            hits.append(self.request.recv(200).decode("latin-1"))

    server = socketserver.TCPServer(("127.0.0.1", 0), Record)
    thread = threading.Thread(target=server.serve_forever, daemon=True)
    thread.start()
    try:
        yield f"127.0.0.1:{server.server_address[1]}", hits
    finally:
        server.shutdown()
        server.server_close()
        thread.join()


@pytest.mark.parametrize("scheme", ["http", "https"])
def test_no_dtd_or_external_entity_is_fetched_even_from_loopback(
    scheme: str, listener: tuple[str, list[str]]
) -> None:
    """libxml2 fetches over its own sockets, so watch the wire rather than Python's socket."""
    address, hits = listener
    text = (OWN / "markup_edge.xml").read_text("utf-8")
    doctype = text[text.index("<!DOCTYPE") : text.index("<PubmedArticleSet>")]
    hostile = (
        f'<!DOCTYPE PubmedArticleSet PUBLIC "-//NLM//DTD PubMedArticle, 1st January 2025//EN" '
        f'"{scheme}://{address}/pubmed_250101.dtd" [\n'
        f'<!ENTITY outside SYSTEM "{scheme}://{address}/entity.txt">\n]>\n'
    )
    data = text.replace(doctype, hostile).replace("Lower serum IgA", "&outside; Lower serum IgA")
    batch = parse_pubmed_xml(data.encode("utf-8"))
    assert [a.pmid for a in batch.articles] == ["99000201"]
    assert "Lower serum IgA" in batch.articles[0].abstract
    with pytest.raises(ParseError):
        parse_with_entrez(data.encode("utf-8"))
    assert hits == []
