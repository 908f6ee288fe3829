"""`litwatch audit SEARCH` against the fake E-utilities server on loopback."""

from __future__ import annotations

import json
from collections.abc import Iterator
from pathlib import Path

import pytest

from tests.helpers.cli import cli_env, run
from tests.helpers.e2e import fake_eutils
from tests.helpers.recall_records import BRAND_ONLY, MISSED, TARGET_ONLY, audit_corpus


@pytest.fixture
def store(tmp_path: Path, monkeypatch: pytest.MonkeyPatch, capsys) -> Iterator[Path]:  # type: ignore[no-untyped-def]
    """An initialised store (the default saved search, backfill from 2026) and the server."""
    cli_env(tmp_path, monkeypatch)
    monkeypatch.setenv("LITWATCH_BACKFILL_START", "2026-01-01")
    with fake_eutils(audit_corpus()) as (_, base_url):
        monkeypatch.setenv("LITWATCH_EUTILS_URL", base_url)
        assert run(capsys, "init")[0] == 0
        assert run(capsys, "searches", "add", "plain", "--query", "scleroderma[tiab]")[0] == 0
        yield tmp_path


def test_audit_as_json(store: Path, capsys) -> None:  # type: ignore[no-untyped-def]
    code, out, err = run(capsys, "audit", "rituximab-ssc", "--format", "json")
    assert code == 0, err
    data = json.loads(out)
    assert (data["search"], data["since"]) == ("rituximab-ssc", "2026-01-01")
    assert {m["pmid"] for m in data["missed"]} == MISSED
    assert data["core_found_by_broader"] == data["core_caught_by_saved"] + 2
    assert 0 < data["recall_estimate"] < 1
    assert '"Rixathon"[tiab]' in data["suggested_terms"]
    assert data["records_fetched"] == data["broader_hits"]  # nothing polled: all fetched


def test_audit_as_text(store: Path, capsys) -> None:  # type: ignore[no-untyped-def]
    code, out, err = run(capsys, "audit", "rituximab-ssc", "--since", "2026-10-01")
    assert code == 0, err
    assert "recall audit of rituximab-ssc, created 2026-10-01 to " in out
    assert "recall estimate: " in out and "missed core articles (2):" in out
    assert f"PMID {BRAND_ONLY} (2026, cohort): Rixathon in diffuse cutaneous" in out
    assert f"PMID {TARGET_ONLY}" in out
    assert 'add: "CD20-targeted"[tiab] OR "Blitzima"[tiab]' in out
    code, out, _ = run(capsys, "audit", "rituximab-ssc", "--until", "2026-10-05")
    assert code == 0 and "missed no core article" in out


@pytest.mark.parametrize(
    ("args", "code", "message"),
    [
        (["nope"], 1, "no saved search named 'nope'"),
        (["rituximab-ssc", "--since", "2026-13-01"], 2, "--since: '2026-13-01' is not a date"),
        (["rituximab-ssc", "--since", "2026-11-01", "--until", "2026-10-01"], 2, "is after"),
        (["rituximab-ssc", "--format", "csv"], 2, "--format must be one of text, json"),
        (["plain"], 1, "no separable disease block"),
        (["rituximab-ssc", "--max-records", "5"], 1, "more than the 5 an audit reads"),
    ],
)
def test_audit_errors_are_one_line(
    store: Path, capsys, args: list[str], code: int, message: str
) -> None:  # type: ignore[no-untyped-def]
    got, out, err = run(capsys, "audit", *args)
    assert got == code and message in err and "Traceback" not in err
    assert out == ""
