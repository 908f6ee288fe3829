"""`litwatch runs`: the history of polls and digest runs, undelivered digests, quarantine."""

from __future__ import annotations

from typing import Any

import typer
from sqlmodel import Session

from litwatch.cli.output import (
    FORMAT_HELP,
    err_console,
    print_csv,
    print_json,
    print_table,
    table_format,
)
from litwatch.cli.runtime import open_context
from litwatch.store.quarantine import quarantine_listing
from litwatch.store.runs import recent_job_runs, recent_poll_runs, undelivered_digests
from litwatch.store.tables import Digest, JobRun, PollRun, QuarantinedRecord

RUN_CSV_FIELDS = ("started_at", "kind", "name", "status", "counts", "error", "query")


def runs(
    limit: int = typer.Option(20, "--limit", min=1),
    fmt: str = typer.Option("table", "--format", help=FORMAT_HELP + " (csv: the runs only)"),
) -> None:
    """The history of polls and digest runs, with their counts and errors."""
    table_format(fmt)
    with open_context() as ctx, Session(ctx.engine) as session:
        rows = [_poll_row(r, name, query) for r, name, query in recent_poll_runs(session, limit)]
        rows += [_job_row(j) for j in recent_job_runs(session, limit)]
        undelivered = [_undelivered_row(d, to) for d, to in undelivered_digests(session, limit)]
        held = [_quarantine_row(q, name) for q, name in quarantine_listing(session, limit)]
    rows.sort(key=lambda r: r["started_at"], reverse=True)
    if fmt == "json":
        print_json({"runs": rows[:limit], "undelivered": undelivered, "quarantine": held})
        return
    if fmt == "csv":
        print_csv(rows[:limit], RUN_CSV_FIELDS)
        if undelivered or held:
            err_console.print(
                f"also {len(undelivered)} digest(s) not delivered and {len(held)} record(s) in "
                "quarantine: --format table or json shows them",
                markup=False,
                highlight=False,
            )
        return
    _print_runs(rows[:limit], undelivered)
    if held:
        keys = ["pmid", "search", "attempts", "since", "last", "error"]
        print_table(
            "Records in quarantine (fetched again by the next poll)",
            keys,
            [[q[k] for k in keys] for q in held],
        )


def _poll_row(run: PollRun, name: str, query: str) -> dict[str, Any]:
    return {
        "kind": "poll",
        "name": name,
        "started_at": run.started_at,
        "status": run.status,
        "counts": f"found {run.found}, new {run.new}, updated {run.updated}, "
        f"failed {run.failed}, quarantined {run.quarantined}, {run.requests} requests, "
        f"{run.retries} retries",
        "retries": run.retries,
        "quarantined": run.quarantined,
        "error": run.error,
        "query": query,
    }


def _job_row(run: JobRun) -> dict[str, Any]:
    return {
        "kind": "job",
        "name": run.job,
        "started_at": run.started_at,
        "status": run.status,
        "counts": ", ".join(f"{k} {v}" for k, v in (run.counts or {}).items()),
        "error": run.error,
        "query": "",
    }


def _quarantine_row(row: QuarantinedRecord, search: str) -> dict[str, Any]:
    return {
        "pmid": row.pmid,
        "search": search,
        "attempts": row.attempts,
        "since": row.first_failed_at,
        "last": row.last_failed_at,
        "error": row.error,
    }


def _undelivered_row(digest: Digest, email: str) -> dict[str, Any]:
    return {
        "digest": digest.id,
        "to": email,
        "status": digest.status,
        "attempts": digest.attempts,
        "next_attempt_at": digest.next_attempt_at,
        "error": digest.last_error,
    }


def _print_runs(rows: list[dict[str, Any]], undelivered: list[dict[str, Any]]) -> None:
    print_table(
        "Runs",
        ["when", "kind", "name", "status", "counts", "error"],
        [
            [r["started_at"], r["kind"], r["name"], r["status"], r["counts"], r["error"]]
            for r in rows
        ],
    )
    if undelivered:
        print_table(
            "Digests not delivered",
            ["digest", "to", "status", "attempts", "next try", "error"],
            [
                [u["digest"], u["to"], u["status"], u["attempts"], u["next_attempt_at"], u["error"]]
                for u in undelivered
            ],
        )


def register(app: typer.Typer) -> None:
    app.command()(runs)
