"""Parsing speed and memory: the lxml streaming parser against Biopython's Entrez reader.

``python -m bench.bench_parse`` builds one PubmedArticleSet of 5,000 records (real NCBI
records from ../shared/fixtures/eutils when present, replicated under distinct PMIDs; our
hand-written test records otherwise), parses it with both parsers and prints records/s and
peak Python memory (tracemalloc; memory libxml2 holds itself is not counted, and the peak
includes the returned batch). A third row, iterparse with no conversion, is the floor.
"""

from __future__ import annotations

import tempfile
import time
import tracemalloc
from collections.abc import Callable
from pathlib import Path
from typing import Any

from lxml import etree
from tests.helpers.pubmed_reference import parse_with_entrez

from litwatch.pubmed.parser import parse_pubmed_xml
from litwatch.records import ParsedBatch

REPO = Path(__file__).resolve().parent.parent
SHARED = REPO.parent / "shared" / "fixtures" / "eutils"
OWN = REPO / "tests" / "data" / "pubmed"
FIRST_PMID = 60_000_000
HEADER = (
    b'<?xml version="1.0" ?>\n'
    b'<!DOCTYPE PubmedArticleSet PUBLIC "-//NLM//DTD PubMedArticle, 1st January 2025//EN" '
    b'"https://dtd.nlm.nih.gov/ncbi/pubmed/out/pubmed_250101.dtd">\n<PubmedArticleSet>\n'
)


def sample_articles(folder: Path) -> list[Any]:
    """Every PubmedArticle (with a PMID) in the XML files under ``folder`` both parsers read.

    Files whose DOCTYPE names an http:// DTD are left out: they follow DTDs older than the
    one the benchmark file declares, and Biopython refuses them anyway.
    """
    parser = etree.XMLParser(load_dtd=False, no_network=True, resolve_entities=False)
    found = []
    for path in sorted(folder.rglob("*.xml")):
        if b'"http://' in path.read_bytes()[:400]:
            continue
        try:
            root = etree.parse(str(path), parser).getroot()
        except etree.XMLSyntaxError:
            continue
        for article in root.iter("PubmedArticle"):
            if article.find("MedlineCitation/PMID") is not None:
                found.append(article)
    return found


def build_file(path: Path, n: int) -> str:
    """Write ``n`` records to ``path``, cycling through the samples with fresh PMIDs."""
    source = SHARED if SHARED.is_dir() else OWN
    articles = sample_articles(source)
    with path.open("wb") as out:
        out.write(HEADER)
        for i in range(n):
            article = articles[i % len(articles)]
            pmid = str(FIRST_PMID + i)
            article.find("MedlineCitation/PMID").text = pmid
            for aid in article.iterfind("PubmedData/ArticleIdList/ArticleId[@IdType='pubmed']"):
                aid.text = pmid
            out.write(etree.tostring(article, encoding="utf-8"))
            out.write(b"\n")
        out.write(b"</PubmedArticleSet>\n")
    return f"{len(articles)} distinct records from {source}"


def iterparse_floor(path: Path) -> ParsedBatch:
    """lxml iterparse and clear, converting nothing: the floor any lxml parser stands on."""
    batch = ParsedBatch()
    context = etree.iterparse(
        str(path), events=("end",), tag="PubmedArticle", load_dtd=False, no_network=True
    )
    for _, elem in context:
        batch.failed_pmids.append("")  # counted only
        elem.clear(keep_tail=True)
        while elem.getprevious() is not None:
            del elem.getparent()[0]
    return batch


def _measure(parse: Callable[[Path], ParsedBatch], path: Path) -> dict[str, float]:
    # CPU time as well as wall time: a busy shared machine skews the wall clock.
    wall, cpu = time.perf_counter(), time.process_time()
    batch = parse(path)
    wall, cpu = time.perf_counter() - wall, time.process_time() - cpu
    tracemalloc.start()
    parse(path)
    peak = tracemalloc.get_traced_memory()[1]
    tracemalloc.stop()
    count = len(batch.articles) or len(batch.failed_pmids)
    return {
        "records": count,
        "seconds": wall,
        "records_per_s": count / wall,
        "records_per_cpu_s": count / cpu,
        "peak_mb": peak / 1e6,
    }


def run(n: int = 5000) -> dict[str, Any]:
    """Build an ``n``-record file, time both parsers on it, print and return the figures."""
    with tempfile.TemporaryDirectory() as tmp:
        path = Path(tmp) / "pubmed_bench.xml"
        origin = build_file(path, n)
        size_mb = path.stat().st_size / 1e6
        results = {
            "iterparse only (floor)": _measure(iterparse_floor, path),
            "lxml (litwatch.pubmed.parser)": _measure(parse_pubmed_xml, path),
            "Entrez.read (reference)": _measure(lambda p: parse_with_entrez(p.read_bytes()), path),
        }
    print(f"{n} records, {size_mb:.1f} MB ({origin})")
    print(f"{'parser':<26}{'records':>8}{'seconds':>9}{'rec/s':>8}{'rec/cpu-s':>11}{'peak MB':>9}")
    for name, r in results.items():
        print(
            f"{name:<26}{r['records']:>8}{r['seconds']:>9.2f}{r['records_per_s']:>8.0f}"
            f"{r['records_per_cpu_s']:>11.0f}{r['peak_mb']:>9.1f}"
        )
    return {"n": n, "file_mb": size_mb, "source": origin, "parsers": results}


if __name__ == "__main__":
    run()
