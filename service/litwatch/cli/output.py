"""How commands print: consoles, JSON and tables."""

from __future__ import annotations

import json
from collections.abc import Sequence
from datetime import date, datetime
from typing import Any

import typer
from rich.console import Console
from rich.table import Table
from rich.text import Text

console = Console(soft_wrap=True)
err_console = Console(stderr=True, soft_wrap=True)


def _json_default(value: Any) -> Any:
    if isinstance(value, datetime | date):
        return value.isoformat()
    raise TypeError(f"cannot write {type(value).__name__} as JSON")


def print_json(data: Any) -> None:
    typer.echo(json.dumps(data, indent=2, default=_json_default, ensure_ascii=False))


def print_table(title: str | None, columns: Sequence[str], rows: Sequence[Sequence[Any]]) -> None:
    table = Table(title=title, show_lines=False)
    for name in columns:
        table.add_column(name, overflow="fold")
    for row in rows:
        table.add_row(*(Text("" if v is None else str(v)) for v in row))
    console.print(table)


def print_evidence_table(title: str, table: Any) -> None:
    """A living evidence table (``judging.evidence.EvidenceTable``) and what it counts."""
    rows = [r.as_dict() for r in table.rows]
    print_table(
        title,
        ["PMID", "date", "stance", "design", "n", "mRSS", "FVC", "title"],
        [
            [r["pmid"], r["date"], _stance_cell(r), r["design"], r["n"], r["mrss_change"],
             r["fvc_change"], r["title"][:70]]
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
