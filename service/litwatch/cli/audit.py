"""`litwatch audit SEARCH`: the core articles a saved search's query missed, and why."""

from __future__ import annotations

import typer

from litwatch.cli.arguments import check_choice, parse_date
from litwatch.cli.output import console, print_json
from litwatch.cli.runtime import open_context
from litwatch.errors import ConfigError
from litwatch.jobs.recall_audit import MAX_RECORDS, AuditReport, audit_search

AUDIT_FORMATS = ("text", "json")


def audit(
    search: str = typer.Argument(..., help="The saved search to audit."),
    since: str | None = typer.Option(None, "--since", help="Created on or after YYYY-MM-DD."),
    until: str | None = typer.Option(None, "--until", help="Created on or before YYYY-MM-DD."),
    max_records: int = typer.Option(
        MAX_RECORDS, "--max-records", min=1, help="Refuse a broader query finding more."
    ),
    fmt: str = typer.Option("text", "--format", help="text or json"),
) -> None:
    """Run the search's disease block alone over the same dates, classify what it finds, and
    list the core articles the saved query missed with the terms it would need to catch them.

    The dates default to those the search's polls covered. Nothing is stored.
    """
    check_choice(fmt, AUDIT_FORMATS, "--format")
    start, end = parse_date(since, "--since"), parse_date(until, "--until")
    if start and end and start > end:
        raise ConfigError(f"--since {start} is after --until {end}")
    with open_context() as ctx:
        from litwatch.cli.ingest import progress_bar

        with progress_bar(f"audit {search}") as bar:
            task = bar.add_task(f"audit {search}", total=None)
            report = audit_search(
                ctx,
                search,
                since=start,
                until=end,
                max_records=max_records,
                progress=lambda done, total: bar.update(task, completed=done, total=total),
            )
    if fmt == "json":
        print_json(report.to_dict())
        return
    for line in report_lines(report):
        console.print(line, markup=False, highlight=False)


def report_lines(report: AuditReport) -> list[str]:
    """The audit as text for people: counts, then each missed article and its terms."""
    recall = report.recall
    lines = [
        f"recall audit of {report.search}, created {report.window[0]} to {report.window[1]}",
        f"broader query: {report.broader}",
        f"broader query found {report.broader_hits} records, the saved query {report.saved_hits}",
        f"core articles found by the broader query: {report.core_found}; "
        f"caught by the saved query: {report.core_caught}; "
        f"recall estimate: {'n/a' if recall is None else f'{recall:.0%}'}",
    ]
    if not report.missed:
        lines.append("the saved query missed no core article the broader query found")
        return lines
    lines.append(f"missed core articles ({len(report.missed)}):")
    for m in report.missed:
        lines.append(f"  PMID {m.pmid} ({m.year or 'n.d.'}, {m.design}): {m.title}")
        if m.suggestions:
            lines.append(f"    add: {' OR '.join(m.suggestions)}")
        else:
            lines.append("    no drug word missing from the query was found in its text")
    if report.suggestions():
        lines.append(f"suggested additions to the drug block: {' OR '.join(report.suggestions())}")
    return lines


def register(app: typer.Typer) -> None:
    app.command()(audit)
