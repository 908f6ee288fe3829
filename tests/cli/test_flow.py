"""The command line over a real store filled from the fake E-utilities server (demo corpus)."""

from __future__ import annotations

import csv
import io
import json
import os
from collections.abc import Iterator
from pathlib import Path

import pytest

from litwatch.cli import main
from litwatch.fake_eutils.democorpus import load_demo_corpus
from tests.helpers.e2e import fake_eutils
from tests.helpers.paths import TEST_DATA

# Polls the whole demo corpus once and cross-validates the learned model: minutes, not seconds.
pytestmark = pytest.mark.slow


@pytest.fixture(scope="module")
def demo_env(tmp_path_factory: pytest.TempPathFactory) -> Iterator[dict[str, str]]:
    """A store polled once from the demo corpus, shared by the tests of this module."""
    work = tmp_path_factory.mktemp("cli")
    with fake_eutils(load_demo_corpus()) as (_, base_url):
        env = {
            "LITWATCH_DATABASE_URL": f"sqlite:///{work / 'lw.db'}",
            "LITWATCH_EUTILS_URL": base_url,
            "LITWATCH_NCBI_EMAIL": "cli@example.org",
            "LITWATCH_NCBI_API_KEY": "test-key",
            "LITWATCH_OUTBOX_DIR": str(work / "outbox"),
            "LITWATCH_SECRET_KEY": "s3cret",
        }
        saved = {k: v for k, v in os.environ.items() if k.startswith("LITWATCH_")}
        for key in saved:
            del os.environ[key]
        os.environ.update(env)
        try:
            assert main(["init"]) == 0
            assert main(["poll"]) == 0
            yield {**env, "work": str(work)}
        finally:
            for key in env:
                os.environ.pop(key, None)
            os.environ.update(saved)


def run(capsys: pytest.CaptureFixture[str], *args: str) -> tuple[int, str, str]:
    capsys.readouterr()
    code = main(list(args))
    out, err = capsys.readouterr()
    return code, out, err


def core_pmid(capsys: pytest.CaptureFixture[str]) -> str:
    code, out, _ = run(
        capsys, "search", "--local", "rituximab", "--format", "json", "--limit", "50"
    )
    assert code == 0
    results = json.loads(out)["results"]
    return next(r["pmid"] for r in results if r["relevance"] == "core")


def test_local_search_is_ranked_by_match(demo_env, capsys) -> None:  # type: ignore[no-untyped-def]
    code, out, _ = run(capsys, "search", "--local", "rituximab sclerosis", "--format", "json")
    assert code == 0
    results = json.loads(out)["results"]
    assert results
    scores = [r["score"] for r in results]
    assert scores == sorted(scores, reverse=True)
    assert all(set(r["matched"].split()) <= {"rituximab", "sclerosis"} for r in results)
    assert all(r["matched"] and r["explanation"] for r in results)
    assert "\x02" not in out and "<mark>" not in out


def test_local_search_table_csv_and_bad_input(demo_env, capsys) -> None:  # type: ignore[no-untyped-def]
    code, out, _ = run(capsys, "search", "--local", "rituximab", "--limit", "3")
    assert code == 0 and "best match first" in out and "ituximab" in out
    code, out, _ = run(capsys, "search", "--local", "rituximab", "--format", "csv")
    header, first = list(csv.reader(io.StringIO(out)))[:2]
    assert header[-4:] == ["score", "matched", "snippet", "url"]
    assert first[header.index("matched")] == "rituximab"
    for hostile in ['"rituximab', "rituximab*", "-rituximab AND", "title:x (y"]:
        code, _, err = run(capsys, "search", "--local", "--format", "json", "--", hostile)
        assert code == 0, err
    code, _, err = run(capsys, "search", "--local", '"*"')
    assert code == 2 and "at least one word" in err and "Traceback" not in err


def test_live_search_stores_and_classifies(demo_env, capsys) -> None:  # type: ignore[no-untyped-def]
    code, out, _ = run(capsys, "search", "nintedanib", "--format", "json", "--limit", "5")
    assert code == 0
    data = json.loads(out)
    assert data["count"] >= len(data["results"]) > 0
    assert all(r["relevance"] for r in data["results"])  # stored and classified
    code, _, err = run(capsys, "search", "rituximab AND (scleroderma")
    assert code == 1 and "error" in err.lower() and "Traceback" not in err


def test_explain_and_evidence(demo_env, capsys) -> None:  # type: ignore[no-untyped-def]
    pmid = core_pmid(capsys)
    code, out, _ = run(capsys, "explain", pmid)
    assert code == 0 and "relevance: core" in out and "reasoning" in out
    code, out, _ = run(capsys, "evidence", "mrss-improvement", "--format", "json")
    rows = json.loads(out)["articles"]
    assert (
        code == 0
        and rows
        and {r["stance"] for r in rows} <= {"supports", "contradicts", "inconclusive"}
    )
    code, out, _ = run(capsys, "evidence", "mrss-improvement", "--format", "csv")
    assert len(list(csv.DictReader(io.StringIO(out)))) == len(rows)
    code, _, err = run(capsys, "evidence", "no-such-finding")
    assert code == 2 and "known:" in err
    code, _, err = run(capsys, "explain", "1")
    assert code == 1 and "not in the store" in err


def test_classify_all_keeps_every_article_judged(demo_env, capsys) -> None:  # type: ignore[no-untyped-def]
    code, out, _ = run(capsys, "classify")
    assert code == 0 and "classified 0 article(s)" in out  # the poll classified them all
    code, out, _ = run(capsys, "classify", "--all")
    assert code == 0 and int(out.split()[1]) > 100


def test_feedback(demo_env, capsys) -> None:  # type: ignore[no-untyped-def]
    pmid = core_pmid(capsys)
    assert run(capsys, "feedback", pmid, "--relevant")[0] == 0
    code, _, _ = run(
        capsys, "feedback", pmid, "--finding", "fvc-improvement", "--stance", "contradicts"
    )
    assert code == 0
    code, _, err = run(
        capsys, "feedback", pmid, "--finding", "fvc-improvement", "--stance", "maybe"
    )
    assert code == 2 and "--stance" in err
    code, _, err = run(capsys, "feedback", pmid)
    assert code == 2


def test_export_every_format(demo_env, capsys, tmp_path: Path) -> None:  # type: ignore[no-untyped-def]
    code, out, _ = run(capsys, "export", "--format", "jsonl")
    lines = [json.loads(line) for line in out.splitlines()]
    assert code == 0 and len(lines) > 100
    assert all("classification" in x for x in lines)
    for fmt, marker in (("csv", "pmid,"), ("ris", "TY  - JOUR"), ("bibtex", "@article{")):
        target = tmp_path / f"out.{fmt}"
        code, _, err = run(capsys, "export", "--format", fmt, "--output", str(target))
        assert code == 0 and marker in target.read_text() and "wrote" in err
    code, _, err = run(capsys, "export", "--format", "docx")
    assert code == 2 and "--format" in err


def test_subscribers_and_digests(demo_env, capsys) -> None:  # type: ignore[no-untyped-def]
    code, _, err = run(capsys, "subscribers", "add", "not-an-address")
    assert code == 2 and "valid email" in err
    assert (
        run(
            capsys,
            "subscribers",
            "add",
            "Panel@Example.org",
            "--min-relevance",
            "related",
            "--send-empty",
        )[0]
        == 0
    )
    code, _, err = run(capsys, "subscribers", "add", "panel@example.org")
    assert code == 1 and "already subscribed" in err
    code, _, err = run(capsys, "subscribers", "add", "x@example.org", "--finding", "nope")
    assert code == 2 and "unknown finding" in err
    code, out, _ = run(capsys, "subscribers", "list", "--format", "json")
    assert [s["email"] for s in json.loads(out)] == ["panel@example.org"]

    preview = Path(demo_env["work"]) / "preview.html"
    code, out, _ = run(capsys, "digest", "preview", "panel@example.org", "--output", str(preview))
    assert code == 0 and "<html" in preview.read_text().lower()
    code, out, _ = run(capsys, "digest", "send", "--dry-run", "--now")
    assert code == 0 and "panel@example.org" in out
    assert not (Path(demo_env["work"]) / "outbox").exists()  # a dry run sends nothing
    code, out, _ = run(capsys, "digest", "send", "--now")
    assert code == 0 and "1 sent" in out and ".eml" in out
    code, out, _ = run(capsys, "digest", "send")  # the next one is due tomorrow
    assert code == 0 and "no digest sent: none is due" in out
    assert "panel@example.org (daily): next digest " in out and "digest send --now" in out
    code, out, _ = run(capsys, "runs", "--format", "json")
    kinds = {r["kind"] for r in json.loads(out)["runs"]}
    assert kinds == {"poll", "job"}
    assert run(capsys, "subscribers", "remove", "panel@example.org")[0] == 0
    code, out, _ = run(capsys, "subscribers", "remove", "panel@example.org")
    assert "already" in out


def test_eval_prints_the_scores(demo_env, capsys) -> None:  # type: ignore[no-untyped-def]
    gold = TEST_DATA / "heldout.jsonl"
    code, out, _ = run(capsys, "eval", str(gold), "--format", "json")
    assert code == 0
    data = json.loads(out)
    assert data["relevance_core"]["recall"] >= 0.9 and "learned_on_gold" in data
    code, out, _ = run(capsys, "eval", str(gold))
    assert code == 0 and "learned model" in out
    code, _, err = run(capsys, "eval", "missing.jsonl")
    assert code == 2
