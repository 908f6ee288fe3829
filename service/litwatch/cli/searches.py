"""`litwatch searches ...`: the saved searches."""

from __future__ import annotations

import typer
from sqlmodel import Session

from litwatch.cli.arguments import parse_date
from litwatch.cli.output import FORMAT_HELP, print_csv, print_json, print_table, table_format
from litwatch.cli.runtime import open_context
from litwatch.errors import ConfigError, QueryError
from litwatch.eutils.query_check import check_query, check_search_name
from litwatch.store.searches import (
    add_search,
    get_search,
    list_searches,
    remove_search,
    search_article_count,
    set_search_query,
    set_search_schedule,
)

app = typer.Typer(help="Saved searches: list, add, edit, remove.", no_args_is_help=True)


def _checked(name: str, query: str | None, schedule: str | None) -> str | None:
    """The query, checked with the name and the schedule before the store is opened."""
    try:
        check_search_name(name)
    except QueryError as exc:
        raise ConfigError(f"NAME: {exc}") from None
    if query is not None:
        try:
            query = check_query(query)
        except QueryError as exc:
            raise ConfigError(f"--query: {exc}") from None
    if schedule:
        from litwatch.jobs.schedules import parse_schedule

        parse_schedule(schedule, "--schedule")
    return query


@app.command("list")
def list_(
    fmt: str = typer.Option("table", "--format", help=FORMAT_HELP),
) -> None:
    """List saved searches with their schedule, watermark and article count."""
    table_format(fmt)
    with open_context() as ctx, Session(ctx.engine) as session:
        rows = []
        for s in list_searches(session):
            rows.append(
                {
                    "name": s.name,
                    "query": s.query,
                    "schedule": s.schedule or ctx.settings.default_schedule,
                    "backfill_start": s.backfill_start,
                    "watermark": s.watermark,
                    "last_success_at": s.last_success_at,
                    "articles": search_article_count(session, s.id),
                    "enabled": s.enabled,
                }
            )
    if fmt == "json":
        print_json(rows)
        return
    if fmt == "csv":
        print_csv(rows, list(rows[0]) if rows else ["name", "query", "schedule"])
        return
    print_table(
        "Saved searches",
        ["name", "schedule", "watermark", "articles", "query"],
        [[r["name"], r["schedule"], r["watermark"], r["articles"], r["query"]] for r in rows],
    )


@app.command()
def add(
    name: str,
    query: str = typer.Option(..., "--query", help="A PubMed query."),
    since: str | None = typer.Option(None, "--since", help="Backfill from YYYY-MM-DD."),
    schedule: str | None = typer.Option(
        None, "--schedule", help="'every 6h', 'every 30m' or a cron expression."
    ),
) -> None:
    """Add a saved search (polled on its schedule; the first poll backfills).

    NAME is a slug (lower-case letters, digits, hyphens); the query is checked before it is
    stored (parentheses, quotes, field tags, operators).
    """
    start = parse_date(since, "--since")
    checked = _checked(name, query, schedule) or query
    with open_context() as ctx, Session(ctx.engine) as session:
        add_search(session, name, checked, now=ctx.now(), schedule=schedule, backfill_start=start)
        session.commit()
    typer.echo(f"added saved search {name!r}")


@app.command()
def edit(
    name: str,
    query: str | None = typer.Option(None, "--query", help="The new PubMed query."),
    schedule: str | None = typer.Option(
        None, "--schedule", help="'every 6h', 'every 30m', a cron expression, or 'default'."
    ),
) -> None:
    """Change a saved search's query or schedule (the old query stays in its history)."""
    if query is None and schedule is None:
        raise ConfigError("say what to change: --query and/or --schedule")
    own_schedule = None if schedule == "default" else schedule
    checked = _checked(name, query, own_schedule)
    with open_context() as ctx, Session(ctx.engine) as session:
        search = get_search(session, name)
        if checked is not None:
            set_search_query(session, search, checked, now=ctx.now())
        if schedule is not None:
            set_search_schedule(session, search, own_schedule)
        session.commit()
    typer.echo(f"changed saved search {name!r}")


@app.command()
def remove(name: str) -> None:
    """Remove a saved search (its articles and its run history stay in the store)."""
    with open_context() as ctx, Session(ctx.engine) as session:
        remove_search(session, name)
        session.commit()
    typer.echo(f"removed saved search {name!r}")
