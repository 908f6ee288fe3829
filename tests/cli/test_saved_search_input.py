"""Bad input at the command line: a malformed saved search or SMTP URL is refused at once with
one line; a removed search's runs stay in `litwatch runs`; the migration keeps old runs."""

from __future__ import annotations

import json
from datetime import UTC, datetime
from pathlib import Path

import pytest
from alembic import command
from sqlalchemy import text

from litwatch.store.engine import alembic_config, make_engine
from tests.helpers.cli import cli_env, run


@pytest.fixture
def env(tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> Path:
    root = cli_env(tmp_path, monkeypatch)
    monkeypatch.setenv("LITWATCH_EUTILS_MAX_TRIES", "1")
    return root


def one_line(err: str) -> str:
    assert "Traceback" not in err and len(err.strip().splitlines()) == 1, err
    return err.strip()


@pytest.mark.parametrize(
    ("name", "query", "fault"),
    [
        ("ssc", "(rituximab AND", "--query: AND at column 12 has no term after it"),
        ("ssc", "rituximab[tibia]", "--query: unknown field tag [tibia] at column 10"),
        ("ssc", '"systemic sclerosis', "--query: the quote at column 1 is never closed"),
        ("my search!", "rituximab", "NAME: the name 'my search!' is not a slug"),
    ],
)
def test_a_malformed_search_is_refused_when_added(
    env: Path, capsys: pytest.CaptureFixture[str], name: str, query: str, fault: str
) -> None:
    run(capsys, "init")
    code, _, err = run(capsys, "searches", "add", name, "--query", query)
    assert code == 2 and fault in one_line(err)
    _, out, _ = run(capsys, "searches", "list", "--format", "json")
    assert name not in [s["name"] for s in json.loads(out)]


def test_edit_checks_the_query_and_keeps_the_old_one(
    env: Path, capsys: pytest.CaptureFixture[str]
) -> None:
    run(capsys, "init")
    assert run(capsys, "searches", "add", "ild", "--query", "nintedanib[tiab]")[0] == 0
    code, _, err = run(capsys, "searches", "edit", "ild", "--query", "nintedanib OR")
    assert code == 2 and "--query: OR at column 12 has no term after it" in one_line(err)
    code, _, _ = run(
        capsys, "searches", "edit", "ild", "--query", "nintedanib[tiab] AND ild", "--schedule",
        "every 12h",
    )  # fmt: skip
    assert code == 0
    _, out, _ = run(capsys, "searches", "list", "--format", "json")
    [row] = [s for s in json.loads(out) if s["name"] == "ild"]
    assert row["query"] == "nintedanib[tiab] AND ild" and row["schedule"] == "every 12h"
    assert run(capsys, "searches", "edit", "ild", "--schedule", "default")[0] == 0
    code, _, err = run(capsys, "searches", "edit", "ild")
    assert code == 2 and "--query" in one_line(err)
    code, _, err = run(capsys, "searches", "edit", "nosuch", "--query", "x")
    assert code == 1 and "no saved search" in one_line(err)


def test_a_removed_search_keeps_its_runs(env: Path, capsys: pytest.CaptureFixture[str]) -> None:
    run(capsys, "init")
    run(capsys, "searches", "add", "ild", "--query", "nintedanib[tiab]")
    run(capsys, "poll", "--search", "ild")  # NCBI unreachable: a failed run, kept
    assert run(capsys, "searches", "remove", "ild")[0] == 0
    _, out, _ = run(capsys, "runs", "--format", "json")
    [old] = [r for r in json.loads(out)["runs"] if r["kind"] == "poll"]
    assert old["name"] == "ild (removed)" and old["query"] == "nintedanib[tiab]"
    assert old["status"] == "failed"
    # The name is free again; the new search's runs and the old one's are told apart.
    run(capsys, "searches", "add", "ild", "--query", "pirfenidone[tiab]")
    run(capsys, "poll", "--search", "ild")
    code, out, _ = run(capsys, "runs", "--format", "json")
    polls = [(r["name"], r["query"]) for r in json.loads(out)["runs"] if r["kind"] == "poll"]
    assert code == 0 and sorted(polls) == [
        ("ild", "pirfenidone[tiab]"),
        ("ild (removed)", "nintedanib[tiab]"),
    ]
    code, out, _ = run(capsys, "runs")
    assert code == 0 and "ild (removed)" in out


@pytest.mark.parametrize(
    "url", ["http://x", "smtp://", "smtp://mail.example.org:70000", "smtp://h?tls=1"]
)
def test_a_bad_smtp_url_stops_every_command_at_start(
    env: Path, capsys: pytest.CaptureFixture[str], monkeypatch: pytest.MonkeyPatch, url: str
) -> None:
    monkeypatch.setenv("LITWATCH_SMTP_URL", url)
    code, _, err = run(capsys, "init")
    assert code == 2 and one_line(err).count("LITWATCH_SMTP_URL") == 1


def test_the_migration_keeps_the_runs_stored_before_it(tmp_path: Path) -> None:
    url = f"sqlite:///{tmp_path / 'old.db'}"
    engine = make_engine(url)
    command.upgrade(alembic_config(engine), "0004")
    now = datetime(2026, 1, 1, tzinfo=UTC).isoformat()
    with engine.begin() as conn:
        conn.execute(
            text(
                "INSERT INTO saved_search (id, name, query, description, enabled, created_at)"
                " VALUES (1, 'ssc', 'rituximab', '', 1, :now)"
            ),
            {"now": now},
        )
        conn.execute(
            text(
                "INSERT INTO poll_run (search_id, started_at, status, found, new, updated,"
                " failed, deleted, requests, error) VALUES (1, :now, 'ok', 0, 0, 0, 0, 0, 2, '')"
            ),
            {"now": now},
        )
    command.upgrade(alembic_config(engine), "head")
    with engine.connect() as conn:
        assert conn.execute(text("SELECT search_name FROM poll_run")).scalar_one() == "ssc"
    command.downgrade(alembic_config(engine), "0004")
    with engine.connect() as conn:
        assert conn.execute(text("SELECT count(*) FROM poll_run")).scalar_one() == 1
    engine.dispose()
