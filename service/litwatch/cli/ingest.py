"""`litwatch init`, `poll`, `search`, `export` and `import`: getting articles in and out."""

from __future__ import annotations

import sys
from collections.abc import Iterator
from contextlib import contextmanager
from pathlib import Path

import typer
from rich.progress import BarColumn, MofNCompleteColumn, Progress, TextColumn, TimeElapsedColumn
from sqlmodel import Session

from litwatch.cli.arguments import check_choice, parse_date
from litwatch.cli.output import (
    FORMAT_HELP,
    console,
    err_console,
    print_csv,
    print_json,
    print_table,
    table_format,
)
from litwatch.cli.runtime import EXIT_BUSY, open_context
from litwatch.cli.search_rows import (
    LOCAL_CSV_FIELDS,
    SEARCH_CSV_FIELDS,
    article_rows,
    local_rows,
    snippet_cell,
    title_cell,
)
from litwatch.default_search import DEFAULT_DESCRIPTION, DEFAULT_QUERY, DEFAULT_SEARCH_NAME
from litwatch.errors import ConfigError, LitwatchError
from litwatch.store.articles import get_article
from litwatch.store.engine import migrate
from litwatch.store.fulltext import SearchHit
from litwatch.store.searches import add_search, find_search, get_search, list_searches


@contextmanager
def progress_bar(description: str) -> Iterator[Progress]:
    """A rich progress bar on stderr (quiet when stderr is not a terminal)."""
    with Progress(
        TextColumn("[bold]{task.description}"),
        BarColumn(),
        MofNCompleteColumn(),
        TimeElapsedColumn(),
        console=err_console,
        transient=True,
        disable=not err_console.is_terminal,
    ) as bar:
        yield bar


def init() -> None:
    """Create or migrate the database and add the default saved search."""
    with open_context(require_init=False) as ctx:
        migrate(ctx.engine)
        with Session(ctx.engine) as session:
            if find_search(session, DEFAULT_SEARCH_NAME) is None:
                add_search(
                    session,
                    DEFAULT_SEARCH_NAME,
                    DEFAULT_QUERY,
                    now=ctx.now(),
                    backfill_start=ctx.settings.backfill_start,
                    description=DEFAULT_DESCRIPTION,
                )
                session.commit()
                typer.echo(f"added the default saved search {DEFAULT_SEARCH_NAME!r}")
        typer.echo(f"database ready: {ctx.engine.url.render_as_string(hide_password=True)}")


def poll(
    search: str | None = typer.Option(None, "--search", help="Only this saved search."),
    since: str | None = typer.Option(None, "--since", help="Window start, YYYY-MM-DD."),
    until: str | None = typer.Option(None, "--until", help="Window end, YYYY-MM-DD."),
) -> None:
    """Poll saved searches now: fetch what is new or changed, store and classify it."""
    from litwatch.jobs.poll import poll_search

    start, end = parse_date(since, "--since"), parse_date(until, "--until")
    failed = busy = 0
    with open_context() as ctx:
        with Session(ctx.engine) as session:
            names = [search] if search else [s.name for s in list_searches(session) if s.enabled]
            if search:
                get_search(session, search)
        for name in names:
            with progress_bar(f"poll {name}") as bar:
                task = bar.add_task(f"poll {name}", total=None)
                summary = poll_search(
                    ctx,
                    name,
                    since=start,
                    until=end,
                    progress=lambda done, total, t=task: bar.update(t, completed=done, total=total),
                )
            colour = {"ok": "green", "skipped": "yellow"}.get(summary.status, "red")
            console.print(f"[{colour}]{summary.line()}[/{colour}]", highlight=False)
            if summary.error:
                err_console.print(f"  {summary.error}", markup=False, highlight=False)
            if summary.failed_pmids:
                err_console.print(
                    f"  records that could not be read: {summary.failed_pmids}", markup=False
                )
            failed += summary.status == "failed"
            busy += bool(summary.held_by)
    if failed:
        raise typer.Exit(1)
    if busy:  # another poll holds the lock: not done, try again later
        raise typer.Exit(EXIT_BUSY)


def search(
    query: str,
    local: bool = typer.Option(False, "--local", help="Search the stored articles only."),
    since: str | None = typer.Option(None, "--since", help="Created on or after YYYY-MM-DD."),
    limit: int = typer.Option(20, "--limit", min=1, max=500, help="At most this many."),
    fmt: str = typer.Option("table", "--format", help=FORMAT_HELP),
) -> None:
    """Search now: live PubMed (results stored and classified), or the store with --local."""
    from litwatch.jobs.live_search import search_live

    table_format(fmt)
    start = parse_date(since, "--since")
    hits: dict[str, SearchHit] = {}
    with open_context() as ctx:
        if local:
            with Session(ctx.engine) as session:
                rows, hits = local_rows(session, query, start, limit)
            count = len(rows)
        else:
            with progress_bar("searching PubMed") as bar:
                task = bar.add_task("searching PubMed", total=None)

                def show(stage: str, done: int, total: int) -> None:
                    words = "fetching and judging" if stage == "fetching" else "searching PubMed"
                    bar.update(task, description=words, completed=done, total=total or None)

                pmids, count = search_live(ctx, query, since=start, limit=limit, progress=show)
            with Session(ctx.engine) as session:
                found = [get_article(session, p) for p in pmids]
                rows = article_rows(session, [a for a in found if a is not None])
    if fmt == "json":
        print_json({"query": query, "count": count, "results": rows})
        return
    if fmt == "csv":
        print_csv(rows, LOCAL_CSV_FIELDS if local else SEARCH_CSV_FIELDS)
        return
    where = "stored articles, best match first" if local else "PubMed"
    columns = ["PMID", "date", "relevance", "design", "title", "judgement"]
    table = [
        [
            r["pmid"],
            r["date"],
            r["relevance"],
            r["design"],
            title_cell(r, hits.get(r["pmid"])),
            r["explanation"],
            *([snippet_cell(hits.get(r["pmid"]))] if local else []),
        ]
        for r in rows
    ]
    print_table(
        f"{count} match(es) in {where}; showing {len(rows)}",
        columns + (["matched in the abstract"] if local else []),
        table,
    )


def export(
    fmt: str = typer.Option("jsonl", "--format", help="jsonl, csv, ris, bibtex or medline (.nbib)"),
    search_name: str | None = typer.Option(None, "--search", help="Only this saved search."),
    collection: str | None = typer.Option(None, "--collection", help="Only this collection."),
    output: Path | None = typer.Option(None, "--output", help="Write here instead of stdout."),
) -> None:
    """Export stored articles with everything known about each."""
    from litwatch.export.formats import FORMATS, write_export
    from litwatch.export.rows import iter_export_rows
    from litwatch.store.collections import collection_pmids

    check_choice(fmt, FORMATS, "--format")
    if search_name and collection:
        raise ConfigError("give --search or --collection, not both")
    with open_context() as ctx, Session(ctx.engine) as session:
        pmids = collection_pmids(session, collection) if collection else None
        rows = iter_export_rows(session, search_name, pmids)
        if output is None:
            count = write_export(rows, fmt, sys.stdout)
        else:
            tmp = output.with_name(output.name + ".part")
            try:
                with tmp.open("w", encoding="utf-8", newline="") as fh:
                    count = write_export(rows, fmt, fh)
                tmp.replace(output)
            except (OSError, LitwatchError):
                tmp.unlink(missing_ok=True)
                raise
            err_console.print(f"wrote {count} article(s) to {output}")


def import_articles(
    file: Path = typer.Argument(..., help="A PubMed .nbib file, or a text file of PMIDs."),
    collection: str = typer.Option(..., "--collection", help="The collection's name (a slug)."),
) -> None:
    """Import a PubMed .nbib file or a PMID list as a saved collection, classified."""
    from litwatch.jobs.import_collection import import_file

    try:
        data = file.read_bytes()
    except OSError as exc:
        raise ConfigError(f"cannot read {file}: {exc.strerror or exc}") from None
    with open_context() as ctx:
        summary = import_file(ctx, collection, data)
    console.print(summary.line(), highlight=False, markup=False)
    for problem in summary.problems:
        err_console.print(f"  skipped {problem}", highlight=False, markup=False)


def register(app: typer.Typer) -> None:
    app.command()(init)
    app.command()(poll)
    app.command()(search)
    app.command()(export)
    app.command("import")(import_articles)
