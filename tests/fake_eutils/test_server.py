"""The fake E-utilities server end to end: a real HTTP server on loopback, spoken to by httpx."""

from __future__ import annotations

import json
import subprocess
import sys
import time
from collections.abc import Iterator
from datetime import date
from pathlib import Path

import httpx
import pytest
from lxml import etree

from litwatch.fake_eutils.corpus import Corpus
from litwatch.fake_eutils.democorpus import load_demo_corpus, load_manifest
from litwatch.fake_eutils.eutils import FakeEutils
from litwatch.fake_eutils.indexing import IndexedRecord, index_article, parse_articles
from litwatch.fake_eutils.server import running_server
from tests.helpers.synthetic_records import TOPIC_QUERY, make_records

ME = {"tool": "litwatch-tests", "email": "tests@example.org"}
DEFAULT_QUERY = (
    '("Rituximab"[mh] OR rituximab[tiab] OR rituxan[tiab] OR mabthera[tiab] OR "CT-P10"[tiab] '
    'OR truxima[tiab] OR ruxience[tiab] OR riabni[tiab] OR "anti-CD20"[tiab] OR '
    '"Antigens, CD20"[mh] OR "B-cell depletion"[tiab] OR "B cell depletion"[tiab] OR '
    '"B-cell depleting"[tiab]) AND ("Scleroderma, Systemic"[mh] OR "systemic sclerosis"[tiab] '
    'OR scleroderma[tiab] OR SSc[tiab] OR "SSc-ILD"[tiab] OR "diffuse cutaneous"[tiab] OR '
    '"limited cutaneous"[tiab] OR "scleroderma lung"[tiab])'
)
EXPIRED = (
    b'<?xml version="1.0" encoding="UTF-8" ?>\n<eFetchResult>\n\t<ERROR>Unable to obtain query '
    b"#1</ERROR>\n</eFetchResult>"
)


class Clock:
    """A clock the test moves by hand."""

    def __init__(self) -> None:
        self.now = 1000.0

    def __call__(self) -> float:
        return self.now


@pytest.fixture(scope="module")
def demo_records() -> list[IndexedRecord]:
    return load_demo_corpus().records()


@pytest.fixture
def corpus(demo_records: list[IndexedRecord]) -> Corpus:
    """A fresh copy of the demo corpus, which a test may change at will."""
    return Corpus(demo_records)


@pytest.fixture
def fake(corpus: Corpus) -> FakeEutils:
    return FakeEutils(corpus, rate_limit=False)


@pytest.fixture
def client(fake: FakeEutils) -> Iterator[httpx.Client]:
    with running_server(fake) as base, httpx.Client(base_url=base, timeout=10) as c:
        yield c


def esearch(client: httpx.Client, **params: object) -> etree._Element:
    r = client.get("esearch.fcgi", params={"db": "pubmed", **ME, **params})
    assert r.status_code == 200
    return etree.fromstring(r.content)


def ids_of(root: etree._Element) -> list[str]:
    return [i.text for i in root.iterfind("IdList/Id")]


def efetch_pmids(body: bytes) -> list[str]:
    root = etree.fromstring(body)
    assert root.tag == "PubmedArticleSet"
    return [p.text for p in root.iterfind("PubmedArticle/MedlineCitation/PMID")]


def test_demo_corpus_matches_default_query_sensibly(corpus: Corpus) -> None:
    from litwatch.fake_eutils.query import parse

    manifest = {e["pmid"]: e for e in load_manifest()}
    assert 250 <= len(corpus) <= 350 and set(manifest) == set(corpus.pmids())
    hits = set(corpus.search(parse(DEFAULT_QUERY)))
    wanted = {p for p, e in manifest.items() if e["category"] in ("core", "related")}
    assert wanted <= hits
    # Only near misses that name both drug and disease may match besides.
    assert {manifest[p]["kind"] for p in hits - wanted} == {"mentions-both"}
    for kind in ("unrelated", "rtx-other-disease", "ssc-other-drug"):
        assert not {p for p in hits if manifest[p]["kind"] == kind}
    kinds = {e["kind"] for e in manifest.values()}
    assert {"rct", "cohort", "case-report", "meta", "protocol", "retraction-notice"} <= kinds


def test_esearch_counts_and_pages(client: httpx.Client, corpus: Corpus) -> None:
    from litwatch.fake_eutils.query import parse

    expected = corpus.search(parse(DEFAULT_QUERY))
    root = esearch(client, term=DEFAULT_QUERY)
    assert root.findtext("Count") == str(len(expected))
    assert root.findtext("RetMax") == "20" and root.findtext("RetStart") == "0"
    assert ids_of(root) == expected[:20]
    created = [corpus.get(p).crdt for p in expected]  # type: ignore[union-attr]
    assert created == sorted(created, reverse=True)
    page = esearch(client, term=DEFAULT_QUERY, retstart=20, retmax=7)
    assert ids_of(page) == expected[20:27]
    assert "Title/Abstract" in page.findtext("QueryTranslation")
    assert root.find("WebEnv") is None


def test_history_server_and_efetch_paging(client: httpx.Client, corpus: Corpus) -> None:
    root = esearch(client, term=DEFAULT_QUERY, usehistory="y", retmax=0)
    count, webenv = int(root.findtext("Count")), root.findtext("WebEnv")
    assert root.findtext("QueryKey") == "1" and webenv.startswith("MCID_")
    assert ids_of(root) == []
    fetched: list[str] = []
    for start in range(0, count, 40):
        r = client.post(
            "efetch.fcgi",
            data={
                "db": "pubmed",
                **ME,
                "WebEnv": webenv,
                "query_key": "1",
                "retstart": start,
                "retmax": 40,
                "retmode": "xml",
            },
        )
        assert r.status_code == 200 and r.headers["content-type"].startswith("text/xml")
        fetched += efetch_pmids(r.content)
    assert fetched == esearch(client, term=DEFAULT_QUERY, retmax=1000).xpath("IdList/Id/text()")
    # A second search in the same WebEnv gets the next query_key.
    again = esearch(client, term="rituximab", usehistory="y", WebEnv=webenv)
    assert again.findtext("WebEnv") == webenv and again.findtext("QueryKey") == "2"


def test_efetch_by_posted_ids_serves_records_verbatim(client: httpx.Client, corpus: Corpus) -> None:
    wanted = corpus.pmids()[5:8] + ["123"]  # an id PubMed does not have is skipped
    r = client.post(
        "efetch.fcgi",
        data={
            "db": "pubmed",
            **ME,
            "id": ",".join(wanted),
            "rettype": "abstract",
            "retmode": "xml",
        },
    )
    assert efetch_pmids(r.content) == wanted[:3]
    for pmid in wanted[:3]:
        assert corpus.get(pmid).xml in r.content  # type: ignore[union-attr]


def test_deleted_record_comes_back_as_delete_citation(client: httpx.Client, corpus: Corpus) -> None:
    gone, kept = corpus.pmids()[:2]
    corpus.delete(gone)
    r = client.get("efetch.fcgi", params={"db": "pubmed", **ME, "id": f"{gone},{kept}"})
    root = etree.fromstring(r.content)
    assert efetch_pmids(r.content) == [kept]
    assert root.xpath("DeleteCitation/PMID/text()") == [gone]


def test_a_record_can_be_served_broken(client: httpx.Client, corpus: Corpus) -> None:
    pmid = corpus.pmids()[0]
    broken = corpus.get(pmid).xml.replace(b"</ArticleTitle>", b"")  # type: ignore[union-attr]
    corpus.replace_raw(pmid, broken)
    r = client.get("efetch.fcgi", params={"db": "pubmed", **ME, "id": pmid})
    assert broken in r.content
    assert pmid in ids_of(esearch(client, term=f"{pmid}[uid]"))


def test_date_windows_by_datetype_and_by_term(client: httpx.Client, corpus: Corpus) -> None:
    by_param = esearch(
        client, term=DEFAULT_QUERY, datetype="crdt", mindate="2026/11/17", maxdate="2026/11/24"
    )
    by_term = esearch(client, term=f"({DEFAULT_QUERY}) AND 2026/11/17:2026/11/24[crdt]")
    recent = ids_of(by_term)
    assert recent and ids_of(by_param) == recent
    for pmid in recent:
        assert date(2026, 11, 17) <= corpus.get(pmid).crdt <= date(2026, 11, 24)  # type: ignore[union-attr]
    assert "[Date - Create]" in by_param.findtext("QueryTranslation")
    # Half a range is ignored, as NCBI does.
    half = esearch(client, term=DEFAULT_QUERY, datetype="crdt", mindate="2026/11/17")
    assert int(half.findtext("Count")) > len(recent)


def test_records_added_and_revised_at_run_time(client: httpx.Client, corpus: Corpus) -> None:
    old = corpus.pmids()[-1]
    corpus.revise_record(old, revised=date(2026, 11, 23), title="A revised title on rituximab")
    changed = esearch(
        client, term="rituximab", datetype="mdat", mindate="2026/11/23", maxdate="2026/11/23"
    )
    assert old in ids_of(changed)
    body = client.get("efetch.fcgi", params={"db": "pubmed", **ME, "id": old}).content
    assert b"A revised title on rituximab" in body and b"<Year>2026</Year><Month>11</Month>" in body
    corpus.add_records(make_records(50, start_pmid=91_000_001, crdt_start=date(2026, 11, 25)))
    new = esearch(client, term=f"{TOPIC_QUERY} AND 2026/11/25:2026/11/26[crdt]", retmax=100)
    assert new.findtext("Count") == "50"


def test_esearch_cap_of_9999(client: httpx.Client, fake: FakeEutils) -> None:
    fake.esearch_cap = 30  # the real cap, scaled down to the demo corpus
    root = esearch(client, term=DEFAULT_QUERY, retstart=20, retmax=20, usehistory="y")
    assert int(root.findtext("Count")) > 40
    assert len(ids_of(root)) == 10 and "cannot return more than 30" in root.findtext("ERROR")
    past = esearch(client, term=DEFAULT_QUERY, retstart=35, retmax=5)
    assert ids_of(past) == [] and past.find("ERROR") is not None
    r = client.get(
        "efetch.fcgi",
        params={
            "db": "pubmed",
            **ME,
            "WebEnv": root.findtext("WebEnv"),
            "query_key": "1",
            "retstart": 0,
            "retmax": 500,
        },
    )
    assert len(efetch_pmids(r.content)) == 30  # the history holds what esearch can reach


@pytest.mark.slow
def test_esearch_cap_at_real_size() -> None:
    corpus = Corpus()
    corpus.add_records(make_records(10_050, per_day=50))
    with (
        running_server(FakeEutils(corpus, rate_limit=False)) as base,
        httpx.Client(base_url=base, timeout=30) as c,
    ):
        root = esearch(c, term=TOPIC_QUERY, retstart=9_990, retmax=20)
        assert root.findtext("Count") == "10050" and len(ids_of(root)) == 9
        assert "9,999" in root.findtext("ERROR")
        split = esearch(c, term=f"({TOPIC_QUERY}) AND 2020/01/01:2020/04/09[crdt]", retmax=9_999)
        assert root.findtext("Count") == "10050" and len(ids_of(split)) == 5_000
        assert split.find("ERROR") is None


def test_syntax_error_and_phrase_not_found(client: httpx.Client) -> None:
    bad = esearch(client, term="(rituximab AND scleroderma")
    assert bad.tag == "eSearchResult" and "parenthesis" in bad.findtext("ERROR")
    assert bad.find("Count") is None
    none = esearch(client, term="rituximab AND zorblatt")
    assert none.findtext("Count") == "0"
    assert none.xpath("ErrorList/PhraseNotFound/text()") == ["zorblatt"]
    assert none.findtext("WarningList/OutputMessage") == "No items found."
    wrong_db = esearch(client, db="protein", term="x")
    assert wrong_db.findtext("ERROR") == "Invalid db name specified: protein"


def test_esearch_json(client: httpx.Client) -> None:
    r = client.get(
        "esearch.fcgi",
        params={**ME, "db": "pubmed", "term": "scleroderma", "retmode": "json", "usehistory": "y"},
    )
    result = r.json()["esearchresult"]
    assert int(result["count"]) > 0 and len(result["idlist"]) == 20
    assert result["querykey"] == "1" and result["webenv"].startswith("MCID_")


def test_expired_or_unknown_webenv(client: httpx.Client, fake: FakeEutils) -> None:
    webenv = esearch(client, term="scleroderma", usehistory="y").findtext("WebEnv")
    params = {"db": "pubmed", **ME, "WebEnv": webenv, "query_key": "1"}
    assert client.get("efetch.fcgi", params=params).content.startswith(b"<?xml")
    fake.expire_sessions()
    r = client.get("efetch.fcgi", params=params)
    assert r.status_code == 200 and r.content == EXPIRED
    r = client.get("efetch.fcgi", params={**params, "WebEnv": "MCID_nope", "query_key": "3"})
    assert b"Unable to obtain query #3" in r.content


def test_rate_limit_per_client_and_key(corpus: Corpus) -> None:
    clock = Clock()
    fake = FakeEutils(corpus, clock=clock)
    with running_server(fake) as base, httpx.Client(base_url=base) as c:
        params = {"db": "pubmed", **ME, "term": "scleroderma", "retmax": 0}
        assert [c.get("esearch.fcgi", params=params).status_code for _ in range(3)] == [200] * 3
        r = c.get("esearch.fcgi", params=params)
        assert r.status_code == 429 and r.headers["Retry-After"] == "1"
        assert r.json() == {
            "error": "API rate limit exceeded",
            "api-key": "127.0.0.1",
            "count": "4",
            "limit": "3",
        }
        keyed = {**params, "api_key": "k1"}
        codes = [c.get("esearch.fcgi", params=keyed).status_code for _ in range(11)]
        assert codes == [200] * 10 + [429]
        clock.now += 1.0
        assert c.get("esearch.fcgi", params=params).status_code == 200


def test_tool_and_email_are_recorded_and_required(client: httpx.Client, fake: FakeEutils) -> None:
    esearch(client, term="scleroderma")
    client.post("efetch.fcgi", data={"db": "pubmed", **ME, "id": "90000001"})
    log = fake.requests
    assert [(r.method, r.path, r.status) for r in log] == [
        ("GET", "esearch.fcgi", 200),
        ("POST", "efetch.fcgi", 200),
    ]
    assert log[1].params["id"] == "90000001"
    assert fake.identities == {("litwatch-tests", "tests@example.org")}
    r = client.get("esearch.fcgi", params={"db": "pubmed", "term": "x"})
    assert r.status_code == 400 and "tool" in r.json()["error"]
    fake.reset_log()
    assert fake.requests == []


def test_fault_injection(client: httpx.Client, fake: FakeEutils) -> None:
    params = {"db": "pubmed", **ME, "term": "scleroderma"}
    fake.fail_next(2, status=502)
    assert [client.get("esearch.fcgi", params=params).status_code for _ in range(3)] == [
        502,
        502,
        200,
    ]
    fake.throttle_rate = 1.0
    r = client.get("esearch.fcgi", params=params)
    assert r.status_code == 429 and "Retry-After" in r.headers
    fake.throttle_rate, fake.error_rate = 0.0, 1.0
    assert client.get("esearch.fcgi", params=params).status_code in (500, 502, 503)
    fake.error_rate, fake.truncate_rate = 0.0, 1.0
    r = client.get("efetch.fcgi", params={**params, "id": "90000001,90000002"})
    assert r.status_code == 200 and not r.content.rstrip().endswith(b"</PubmedArticleSet>")
    with pytest.raises(etree.XMLSyntaxError):
        etree.fromstring(r.content)
    fake.truncate_rate, fake.slow_ms = 0.0, 150
    started = time.monotonic()
    assert client.get("esearch.fcgi", params=params).status_code == 200
    assert time.monotonic() - started >= 0.15


def test_fault_dice_are_seeded(corpus: Corpus) -> None:
    def statuses(seed: int) -> list[int]:
        fake = FakeEutils(corpus, rate_limit=False, error_rate=0.3, throttle_rate=0.2, seed=seed)
        params = {"db": "pubmed", **ME, "term": "scleroderma", "retmax": "0"}
        return [fake.handle("GET", "/esearch.fcgi", params, "127.0.0.1").status for _ in range(40)]

    first = statuses(7)
    assert first == statuses(7) and {200, 429} <= set(first) and len(set(first)) >= 3


def test_synthetic_records_are_quick_and_spread_over_days() -> None:
    started = time.perf_counter()
    data = make_records(1_200, start_pmid=80_000_001, crdt_start=date(2021, 1, 1), per_day=30)
    assert time.perf_counter() - started < 5  # 20,000 take well under 2 s on an idle machine
    corpus = Corpus()
    assert len(corpus.add_records(data)) == 1_200
    from litwatch.fake_eutils.query import parse

    assert len(corpus.search(parse(TOPIC_QUERY))) == 1_200
    assert len(corpus.search(parse("2021/01/01:2021/01/02[crdt]"))) == 60


def test_console_script_serves_the_demo_corpus() -> None:
    proc = subprocess.Popen(
        [sys.executable, "-m", "litwatch.fake_eutils.server", "--port", "0", "--no-rate-limit"],
        stdout=subprocess.PIPE,
        text=True,
    )
    try:
        line = proc.stdout.readline()  # type: ignore[union-attr]
        base = line.rsplit(" at ", 1)[1].strip()
        assert "records" in line
        r = httpx.get(
            base + "esearch.fcgi", params={**ME, "term": "scleroderma", "retmode": "json"}
        )
        assert int(json.loads(r.content)["esearchresult"]["count"]) > 0
    finally:
        proc.terminate()
        proc.wait(timeout=10)
        proc.stdout.close()  # type: ignore[union-attr]


def _real_documents(shared: Path) -> list[Path]:
    files = [p for p in shared.rglob("*") if p.is_file() and b"<PubmedArticle>" in p.read_bytes()]
    return [p for p in files if p.read_bytes().lstrip().startswith(b"<?xml")]


def test_fast_index_agrees_with_lxml_on_real_and_demo_records(shared_fixtures: Path) -> None:
    from litwatch.fake_eutils.democorpus import DEMO_DIR

    paths = _real_documents(shared_fixtures) + sorted(DEMO_DIR.glob("*.xml"))[:2]
    assert len(paths) > 10
    seen = 0
    for path in paths:
        data = path.read_bytes()
        root = etree.fromstring(data, etree.XMLParser(resolve_entities=False, no_network=True))
        slow = [index_article(a) for a in root.iterfind("PubmedArticle")]
        fast = parse_articles(data)
        assert [r.doc for r in fast] == [r.doc for r in slow], path.name
        for record in fast:  # served verbatim: the exact bytes of the source document
            assert record.xml in data
        seen += len(fast)
    assert seen > 100
