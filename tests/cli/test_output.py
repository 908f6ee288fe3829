"""How the CLI prints: flags shown as flags, tables as wide as their content through a pipe,
``--format table|json|csv`` on every listing, text cut at a word boundary with an ellipsis."""

from __future__ import annotations

import csv
import io
import json
import os
import subprocess
import sys
from datetime import UTC, date, datetime
from pathlib import Path
from typing import Any

import pytest
import typer
from sqlmodel import Session
from typer.testing import CliRunner

from litwatch.cli import _register, app
from litwatch.cli.output import ELLIPSIS, shorten
from litwatch.config import load_settings
from litwatch.context import build_context
from litwatch.records import AbstractSection, ArticleRecord
from litwatch.store.articles import upsert_articles
from tests.helpers.cli import cli_env, run

LONG_QUERY = (
    '("Scleroderma, Systemic"[mh] OR "systemic sclerosis"[tiab] OR scleroderma[tiab]) AND '
    '(rituximab[tiab] OR "anti-CD20"[tiab]) AND (trial[pt] OR cohort[tiab]) NOT review[pt]'
)
# Our own made-up trial reports, with titles far longer than a table column.
ARTICLES = [
    (
        "90000001",
        "Rituximab given twice six months apart lowered the modified Rodnan skin score in "
        "adults with early diffuse cutaneous systemic sclerosis: a randomised placebo "
        "controlled trial from four referral centres",
        "In this randomised double-blind trial, 60 patients with diffuse systemic sclerosis "
        "received rituximab or placebo. The modified Rodnan skin score fell by 6.1 points with "
        "rituximab and by 1.2 with placebo at 24 weeks (p=0.01). Rituximab improved skin "
        "thickening in systemic sclerosis.",
    ),
    (
        "90000002",
        "Lung function after B-cell depletion with rituximab in systemic sclerosis with "
        "interstitial lung disease: a prospective cohort followed for three years",
        "We followed 40 patients with systemic sclerosis treated with rituximab. Forced vital "
        "capacity stayed stable over three years of follow-up.",
    ),
]


def _runner() -> CliRunner:
    _register()
    return CliRunner()


def _all_commands() -> list[tuple[list[str], Any]]:
    """Every command and group of the `litwatch` tree, with the words that reach it (typer
    carries its own copy of click, so the tree is walked by its attributes)."""
    _register()
    found: list[tuple[list[str], Any]] = []

    def walk(path: list[str], command: Any) -> None:
        found.append((path, command))
        for name, sub in getattr(command, "commands", {}).items():
            walk([*path, name], sub)

    walk([], typer.main.get_command(app))
    return found


def test_every_help_shows_flags_as_flags() -> None:
    runner = _runner()
    commands = _all_commands()
    assert len(commands) > 15
    flags_seen = 0
    for path, command in commands:
        result = runner.invoke(app, [*path, "--help"], prog_name="litwatch")
        assert result.exit_code == 0, (path, result.output)
        assert "<bool>" not in result.output, (path, result.output)
        lines = result.output.splitlines()
        for param in command.params:
            if not (param.param_type_name == "option" and getattr(param, "is_flag", False)):
                continue
            flags_seen += 1
            line = next(x for x in lines if x.strip().startswith(param.opts[0]))
            # The flag, perhaps its negative, then at once its help: no value placeholder.
            shown = line.strip().split("  ")[0]
            assert "<" not in shown, (path, line)
        assert any(x.strip().startswith("--help ") for x in lines), path
    assert flags_seen >= 8  # --debug, --local, --all, --errors, --dry-run, --now, --web...


def test_debug_flag_takes_no_value() -> None:
    result = _runner().invoke(app, ["--help"], prog_name="litwatch")
    debug = next(x for x in result.output.splitlines() if "--debug" in x)
    assert debug.split() == ["--debug", "Show", "tracebacks", "and", "debug", "logs."]


@pytest.mark.parametrize(
    ("text", "width", "expected"),
    [
        ("short title", 20, "short title"),
        ("Rituximab improves skin thickness in systemic sclerosis", 24, "Rituximab improves skin…"),
        ("Rituximab improves skin thickness in systemic sclerosis", 23, "Rituximab improves…"),
        ("Rituximab, cyclophosphamide and more", 14, "Rituximab…"),
        ("Immunoglobulinopathies everywhere", 10, "Immunoglo…"),
        ("  spaced \n  out   words ", 40, "spaced out words"),
        ("", 10, ""),
        (None, 10, ""),
    ],
)
def test_shorten_cuts_at_a_word_with_an_ellipsis(
    text: str | None, width: int, expected: str
) -> None:
    cut = shorten(text, width)
    assert cut == expected
    assert len(cut) <= width


@pytest.mark.parametrize("width", range(11, 90, 3))
def test_shorten_never_cuts_inside_a_word_that_fits(width: int) -> None:
    text = ARTICLES[0][1]
    cut = shorten(text, width)
    assert len(cut) <= width and cut.endswith(ELLIPSIS)
    kept = cut[: -len(ELLIPSIS)].split()
    words = text.split()[: len(kept)]
    # Whole words only, in order (the last may lose the comma or colon before the ellipsis).
    assert kept[:-1] == words[:-1] and kept[-1] == words[-1].rstrip(",;:")


@pytest.fixture
def store(tmp_path: Path, monkeypatch: pytest.MonkeyPatch, capsys: pytest.CaptureFixture[str]):  # type: ignore[no-untyped-def]
    """An initialised store with a long saved search, a subscriber and two judged articles."""
    cli_env(tmp_path, monkeypatch)
    assert run(capsys, "init")[0] == 0
    assert run(capsys, "searches", "add", "ssc-rituximab-trials", "--query", LONG_QUERY)[0] == 0
    assert run(capsys, "subscribers", "add", "panel@example.org", "--name", "Skin panel")[0] == 0
    ctx = build_context(load_settings(database_url=f"sqlite:///{tmp_path / 'lw.db'}"))
    records = [
        ArticleRecord(
            pmid=pmid,
            title=title,
            abstract_sections=[AbstractSection("", "", abstract)],
            journal_title="Journal of Made-up Rheumatology",
            journal_iso="J Madeup Rheumatol",
            publication_types=["Journal Article", "Randomized Controlled Trial"],
            create_date=date(2026, 10, 1),
            pub_date=date(2026, 10, 1),
        )
        for pmid, title, abstract in ARTICLES
    ]
    with Session(ctx.engine) as session:
        upsert_articles(session, records, now=datetime(2026, 10, 2, tzinfo=UTC))
        session.commit()
    ctx.close()
    assert run(capsys, "classify")[0] == 0
    # One failed poll (NCBI is unreachable on purpose), so the run history has a row.
    monkeypatch.setenv("LITWATCH_EUTILS_MAX_TRIES", "1")
    assert run(capsys, "poll", "--search", "ssc-rituximab-trials")[0] == 1
    return tmp_path


def test_search_formats(store: Path, capsys: pytest.CaptureFixture[str]) -> None:
    code, out, _ = run(capsys, "search", "--local", "rituximab", "--format", "json")
    assert code == 0
    results = json.loads(out)["results"]
    assert {r["pmid"] for r in results} == {"90000001", "90000002"}
    code, out, _ = run(capsys, "search", "--local", "rituximab", "--format", "csv")
    rows = list(csv.DictReader(io.StringIO(out)))
    assert code == 0 and {r["pmid"] for r in rows} == {"90000001", "90000002"}
    # CSV keeps the full title; the findings mapping is JSON inside its cell.
    by_pmid = {r["pmid"]: r for r in rows}
    assert by_pmid["90000001"]["title"] == ARTICLES[0][1]
    assert isinstance(json.loads(by_pmid["90000001"]["findings"]), dict)
    code, _, err = run(capsys, "search", "--local", "rituximab", "--format", "xml")
    assert code == 2 and "--format must be one of table, json, csv" in err


def test_table_to_a_pipe_is_not_cut_to_80_columns(
    store: Path, capsys: pytest.CaptureFixture[str]
) -> None:
    code, out, _ = run(capsys, "search", "--local", "rituximab")
    assert code == 0
    lines = out.splitlines()
    assert max(len(x) for x in lines) > 100
    # One line per article: the date is whole, the title cut at a word with an ellipsis.
    row = next(x for x in lines if "90000001" in x)
    assert "2026-10-01" in row
    title = row.split("│")[5].strip()
    assert title.endswith(ELLIPSIS) and len(title) <= 90
    assert ARTICLES[0][1].startswith(title[: -len(ELLIPSIS)])
    assert ARTICLES[0][1][len(title) - 1] == " "  # cut before a space: a whole word kept


@pytest.mark.parametrize(
    "args",
    [
        ["searches", "list"],
        ["subscribers", "list"],
        ["runs"],
        ["evidence", "mrss-improvement"],
    ],
)
def test_every_listing_has_table_json_and_csv(
    store: Path, capsys: pytest.CaptureFixture[str], args: list[str]
) -> None:
    code, table, _ = run(capsys, *args)
    assert code == 0 and "┃" in table
    code, out, _ = run(capsys, *args, "--format", "json")
    assert code == 0 and json.loads(out)
    code, out, _ = run(capsys, *args, "--format", "csv")
    assert code == 0
    rows = list(csv.DictReader(io.StringIO(out)))
    if args != ["evidence", "mrss-improvement"]:
        assert rows, out
    code, _, err = run(capsys, *args, "--format", "yaml")
    assert code == 2 and "--format" in err


def test_saved_searches_csv_and_table_keep_the_whole_query(
    store: Path, capsys: pytest.CaptureFixture[str]
) -> None:
    code, out, _ = run(capsys, "searches", "list", "--format", "csv")
    rows = {r["name"]: r for r in csv.DictReader(io.StringIO(out))}
    assert rows["ssc-rituximab-trials"]["query"] == LONG_QUERY
    code, out, _ = run(capsys, "searches", "list")
    assert any(LONG_QUERY in line for line in out.splitlines())


def test_real_pipe(store: Path) -> None:
    """`litwatch searches list | ...` in a real process: the row holds the whole query on one
    line, and the table is as wide as that, not 80 columns."""
    env = {k: v for k, v in os.environ.items() if k != "COLUMNS"}
    done = subprocess.run(
        [sys.executable, "-m", "litwatch.cli", "searches", "list"],
        cwd=store,
        env=env,
        capture_output=True,  # both ends are pipes, as in `litwatch searches list | less`
        text=True,
        timeout=120,
        check=False,
    )
    assert done.returncode == 0, done.stderr
    lines = done.stdout.splitlines()
    row = next(x for x in lines if "ssc-rituximab-trials" in x)
    assert LONG_QUERY in row
    widths = {len(x) for x in lines if x.startswith(("┏", "┃", "│", "└", "┡"))}
    assert len(widths) == 1 and widths.pop() > 150  # one straight table, wider than 80
    help_done = subprocess.run(
        [sys.executable, "-m", "litwatch.cli", "eval", "--help"],
        env=env,
        stdout=subprocess.PIPE,
        text=True,
        timeout=120,
        check=False,
    )
    assert "--errors  " in help_done.stdout and "<bool>" not in help_done.stdout
