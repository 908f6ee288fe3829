"""How commands print: consoles, JSON, CSV and tables.

The conventions, the same in every command that lists things:

- ``--format table|json|csv``: a table for people; JSON and CSV hold every value in full.
- On a terminal a table fits the terminal's width, wrapping cells at word boundaries. Anywhere
  else (a pipe, a file) it is as wide as its content, so nothing is cut to 80 columns.
- Text cut to fit a column is cut at a word boundary and ends with an ellipsis (…).
"""

from __future__ import annotations

import csv
import io
import json
import sys
import textwrap
from collections.abc import Mapping, Sequence
from datetime import date, datetime
from typing import Any

import typer
from rich.console import Console
from rich.table import Table
from rich.text import Text

from litwatch.cli.arguments import check_choice

console = Console(soft_wrap=True)
err_console = Console(stderr=True, soft_wrap=True)

TABLE_FORMATS = ("table", "json", "csv")
FORMAT_HELP = "table, json or csv"
ELLIPSIS = "…"
# Wide enough to measure any table at its natural width.
_MEASURE_WIDTH = 100_000


def table_format(value: str) -> str:
    """The ``--format`` of a command that prints a table, checked."""
    return check_choice(value, TABLE_FORMATS, "--format")


def shorten(text: str | None, width: int) -> str:
    """``text`` on one line, in at most ``width`` characters: cut at a word boundary, with an
    ellipsis where it was cut (inside a word only when its first word alone is too long)."""
    flat = " ".join((text or "").split())
    if len(flat) <= width:
        return flat
    cut = textwrap.shorten(flat, width=width, placeholder=ELLIPSIS)
    if cut == ELLIPSIS:  # textwrap gives up on a first word longer than the width
        return flat[: width - 1] + ELLIPSIS
    return cut[: -len(ELLIPSIS)].rstrip(" ,;:") + ELLIPSIS


def _plain(value: Any) -> Any:
    if isinstance(value, datetime | date):
        return value.isoformat()
    return value


def _json_default(value: Any) -> Any:
    if isinstance(value, datetime | date):
        return value.isoformat()
    raise TypeError(f"cannot write {type(value).__name__} as JSON")


def print_json(data: Any) -> None:
    typer.echo(json.dumps(data, indent=2, default=_json_default, ensure_ascii=False))


def print_csv(rows: Sequence[Mapping[str, Any]], fields: Sequence[str]) -> None:
    """One header line, then one line per row; lists and mappings as JSON, dates as ISO."""
    writer = csv.DictWriter(sys.stdout, fieldnames=list(fields), extrasaction="ignore")
    writer.writeheader()
    for row in rows:
        cells = {}
        for key in fields:
            value = row.get(key)
            if isinstance(value, list | tuple | dict):
                value = json.dumps(value, default=_json_default, ensure_ascii=False)
            cells[key] = "" if value is None else _plain(value)
        writer.writerow(cells)


def print_table(title: str | None, columns: Sequence[str], rows: Sequence[Sequence[Any]]) -> None:
    """A table: at the terminal's width on a terminal; elsewhere as wide as its content, its
    title on a line of its own and no trailing blanks."""
    on_terminal = console.is_terminal
    table = Table(title=title if on_terminal else None, show_lines=False)
    for name in columns:
        table.add_column(name, overflow="fold")
    for row in rows:
        # A Text cell keeps its styles (a local search's matched words in bold).
        table.add_row(
            *(v if isinstance(v, Text) else Text("" if v is None else str(v)) for v in row)
        )
    if on_terminal:
        console.print(table)
        return
    buffer = io.StringIO()
    measure = Console(width=_MEASURE_WIDTH, file=buffer)
    width = measure.measure(table).maximum
    Console(width=width, file=buffer, soft_wrap=False, no_color=True).print(table)
    lines = ([title] if title else []) + buffer.getvalue().splitlines()
    console.file.write("".join(line.rstrip() + "\n" for line in lines))


def print_evidence_table(title: str, table: Any) -> None:
    """A living evidence table (``judging.evidence.EvidenceTable``) and what it counts."""
    rows = [r.as_dict() for r in table.rows]
    print_table(
        title,
        ["PMID", "date", "stance", "design", "n", "mRSS", "FVC", "title"],
        [
            [r["pmid"], r["date"], _stance_cell(r), r["design"], r["n"], r["mrss_change"],
             r["fvc_change"], shorten(r["title"], 70)]
            for r in rows
        ],
    )  # fmt: skip
    counted = ", ".join(f"{n} {stance}" for stance, n in table.counts.items() if n)
    left = table.not_counted
    console.print(
        f"counted, each trial once: {counted or 'nothing'}; not counted: "
        f"{left['retracted']} retracted, {left['needs review']} needing review, "
        f"{left['same trial']} further report(s) of a counted trial",
        highlight=False,
        markup=False,
    )


def _stance_cell(row: dict[str, Any]) -> str:
    """The stance as the table shows it: marked when retracted or unsure, and if not counted."""
    if row["retracted"]:
        text = f"RETRACTED (was {row['stance']})"
    elif row["needs_review"]:
        text = f"needs review ({row['stance']}?)"
    else:
        text = row["stance"]
    return text if row["counted"] else f"{text}, not counted"
