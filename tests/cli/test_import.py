"""`litwatch import` (an .nbib file, a PMID list from the fake E-utilities server) and
`litwatch export --collection` / `--format medline`."""

from __future__ import annotations

import io
from pathlib import Path

import pytest
from Bio import Medline

from litwatch.export.formats import write_export
from litwatch.export.rows import ExportRow
from litwatch.fake_eutils.democorpus import load_demo_corpus
from tests.helpers.cli import cli_env, run
from tests.helpers.e2e import fake_eutils
from tests.web.test_app import EVIL, OFF, RCT, articles


@pytest.fixture
def work(
    tmp_path: Path, monkeypatch: pytest.MonkeyPatch, capsys: pytest.CaptureFixture[str]
) -> Path:
    cli_env(tmp_path, monkeypatch)
    assert run(capsys, "init")[0] == 0
    return tmp_path


def test_import_an_nbib_file_and_export_the_collection(
    work: Path, capsys: pytest.CaptureFixture[str]
) -> None:
    out = io.StringIO()
    write_export([ExportRow(a) for a in articles()], "medline", out)
    source = work / "pubmed.nbib"
    source.write_text(out.getvalue() + "\nPMID- x1\nTI  - broken\n")
    code, printed, err = run(capsys, "import", str(source), "--collection", "my-reading")
    assert code == 0, err
    assert "my-reading: 3 article(s) from MEDLINE records" in printed
    assert "(3 new to the collection, 3 new to the store, 1 skipped)" in printed
    assert "skipped record 4: PMID 'x1' is not a number" in err
    target = work / "back.nbib"
    code, _, err = run(
        capsys,
        "export",
        "--collection",
        "my-reading",
        "--format",
        "medline",
        "--output",
        str(target),
    )
    assert code == 0 and "wrote 3 article(s)" in err
    records = list(Medline.parse(io.StringIO(target.read_text())))
    assert {r["PMID"] for r in records} == {RCT, EVIL, OFF}
    judged = next(r for r in records if r["PMID"] == RCT)
    assert "litwatch: relevance core" in judged["GN"][0]  # classified on import


def test_import_refuses_what_it_cannot_use(work: Path, capsys: pytest.CaptureFixture[str]) -> None:
    empty = work / "empty.txt"
    empty.write_text("just words\n")
    code, _, err = run(capsys, "import", str(empty), "--collection", "x")
    assert code == 2 and "nothing imported" in err and "'just' is not a PMID" in err
    code, _, err = run(capsys, "import", str(work / "missing.nbib"), "--collection", "x")
    assert code == 2 and "cannot read" in err
    code, _, err = run(capsys, "export", "--collection", "x")
    assert code == 1 and "no collection named 'x'" in err
    code, _, err = run(capsys, "export", "--collection", "x", "--search", "rituximab-ssc")
    assert code == 2 and "not both" in err


def test_import_a_pmid_list_through_eutils(
    work: Path, capsys: pytest.CaptureFixture[str], monkeypatch: pytest.MonkeyPatch
) -> None:
    corpus = load_demo_corpus()
    pmids = corpus.pmids()[:4]
    listing = work / "pmids.txt"
    listing.write_text("\n".join(pmids) + "\n")
    with fake_eutils(corpus) as (fake, base_url):
        monkeypatch.setenv("LITWATCH_EUTILS_URL", base_url)
        code, printed, err = run(capsys, "import", str(listing), "--collection", "from-list")
    assert code == 0, err
    assert "from-list: 4 article(s) from PMIDs (4 new to the collection, 4 new to the store)" in (
        printed
    )
    assert sorted(fake.served) == sorted(pmids)
    code, printed, _ = run(capsys, "export", "--collection", "from-list", "--format", "csv")
    assert code == 0 and all(p in printed for p in pmids)
