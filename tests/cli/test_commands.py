"""The command line: one clear line on error, no traceback; commands work on a real store."""

from __future__ import annotations

import json
from pathlib import Path

import pytest

from litwatch.default_search import DEFAULT_SEARCH_NAME
from tests.helpers.cli import cli_env, run


@pytest.fixture
def env(tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> Path:
    return cli_env(tmp_path, monkeypatch)


def test_init_adds_the_default_search_once(env: Path, capsys: pytest.CaptureFixture[str]) -> None:
    code, out, _ = run(capsys, "init")
    assert code == 0 and DEFAULT_SEARCH_NAME in out
    code, out, _ = run(capsys, "init")
    assert code == 0 and "added" not in out
    code, out, _ = run(capsys, "searches", "list", "--format", "json")
    searches = json.loads(out)
    assert [s["name"] for s in searches] == [DEFAULT_SEARCH_NAME]
    assert '"Scleroderma, Systemic"[mh]' in searches[0]["query"]


def test_commands_refuse_an_uninitialised_database(
    env: Path, capsys: pytest.CaptureFixture[str]
) -> None:
    code, _, err = run(capsys, "searches", "list")
    assert code == 1 and "litwatch init" in err and "Traceback" not in err


def test_saved_search_lifecycle(env: Path, capsys: pytest.CaptureFixture[str]) -> None:
    run(capsys, "init")
    code, _, _ = run(
        capsys,
        "searches",
        "add",
        "nintedanib",
        "--query",
        "nintedanib[tiab]",
        "--since",
        "2020-01-01",
        "--schedule",
        "every 12h",
    )
    assert code == 0
    code, _, err = run(capsys, "searches", "add", "nintedanib", "--query", "x")
    assert code == 1 and "already exists" in err
    code, _, err = run(capsys, "searches", "add", "bad", "--query", "x", "--since", "May 1")
    assert code == 2 and "--since" in err
    code, _, err = run(capsys, "searches", "add", "bad", "--query", "x", "--schedule", "often")
    assert code == 2 and "--schedule" in err
    code, out, _ = run(capsys, "searches", "list", "--format", "json")
    rows = {s["name"]: s for s in json.loads(out)}
    assert rows["nintedanib"]["backfill_start"] == "2020-01-01"
    assert rows["nintedanib"]["schedule"] == "every 12h"
    assert run(capsys, "searches", "remove", "nintedanib")[0] == 0
    code, _, err = run(capsys, "searches", "remove", "nintedanib")
    assert code == 1 and "no saved search" in err


def test_bad_setting_is_one_line(
    env: Path, capsys: pytest.CaptureFixture[str], monkeypatch: pytest.MonkeyPatch
) -> None:
    monkeypatch.setenv("LITWATCH_EUTILS_BATCH_SIZE", "many")
    code, _, err = run(capsys, "init")
    assert code == 2
    assert "LITWATCH_EUTILS_BATCH_SIZE" in err and "Traceback" not in err
    assert len(err.strip().splitlines()) == 1


def test_unreachable_ncbi_is_a_clear_error(
    env: Path, capsys: pytest.CaptureFixture[str], monkeypatch: pytest.MonkeyPatch
) -> None:
    monkeypatch.setenv("LITWATCH_EUTILS_MAX_TRIES", "1")
    run(capsys, "init")
    code, out, err = run(capsys, "poll")
    assert code == 1
    assert "failed" in out and "Traceback" not in out + err
    code, out, _ = run(capsys, "runs", "--format", "json")
    [poll_run] = [r for r in json.loads(out)["runs"] if r["kind"] == "poll"]
    assert poll_run["status"] == "failed" and poll_run["error"]


def test_ncbi_needs_a_contact_address(
    env: Path, capsys: pytest.CaptureFixture[str], monkeypatch: pytest.MonkeyPatch
) -> None:
    monkeypatch.delenv("LITWATCH_EUTILS_URL")
    monkeypatch.delenv("LITWATCH_NCBI_EMAIL")
    run(capsys, "init")
    code, _, err = run(capsys, "poll")
    assert code == 2 and "LITWATCH_NCBI_EMAIL" in err


def test_usage_errors_exit_2_with_usage(env: Path, capsys: pytest.CaptureFixture[str]) -> None:
    code, _, err = run(capsys, "nosuch")
    assert code == 2 and "No such command" in err and "Usage" in err
    code, _, err = run(capsys, "searches", "add", "x")
    assert code == 2 and "--query" in err


def test_digest_send_with_nothing_due_says_when_and_how_to_send_now(
    env: Path, capsys: pytest.CaptureFixture[str]
) -> None:
    assert run(capsys, "init")[0] == 0
    for args in (["a@example.org"], ["b@example.org", "--frequency", "weekly"]):
        assert run(capsys, "subscribers", "add", *args)[0] == 0
    # Just subscribed: no slot has passed since, so nothing is due.
    code, out, _ = run(capsys, "digest", "send")
    assert code == 0
    assert "no digest sent: none is due" in out
    assert "a@example.org (daily): next digest " in out and " 07:00 UTC" in out
    assert "b@example.org (weekly): next digest " in out
    assert "litwatch digest send --now" in out
    code, out, _ = run(capsys, "digest", "send", "--subscriber", "b@example.org")
    assert "a@example.org" not in out and "--now --subscriber b@example.org" in out
    code, out, _ = run(capsys, "digest", "send", "--dry-run")
    assert "no digest is due" in out and "a@example.org (daily): next digest" in out
    # Forced, with nothing stored: nothing new, and it says so.
    code, out, _ = run(capsys, "digest", "send", "--now")
    assert code == 0 and "no digest sent: nothing new to send" in out
