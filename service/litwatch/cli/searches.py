"""`litwatch searches ...`: the saved searches."""

from __future__ import annotations

import typer
from sqlmodel import Session

from litwatch.cli.arguments import check_choice, parse_date
from litwatch.cli.output import print_json, print_table
from litwatch.cli.runtime import open_context
from litwatch.store.searches import add_search, list_searches, remove_search, search_article_count

app = typer.Typer(help="Saved searches: list, add, remove.", no_args_is_help=True)


@app.command("list")
def list_(
    fmt: str = typer.Option("table", "--format", help="table or json"),
) -> None:
    """List saved searches with their schedule, watermark and article count."""
    check_choice(fmt, ("table", "json"), "--format")
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
    """Add a saved search (polled on its schedule; the first poll backfills)."""
    start = parse_date(since, "--since")
    if schedule:
        from litwatch.jobs.schedules import parse_schedule

        parse_schedule(schedule, "--schedule")
    with open_context() as ctx, Session(ctx.engine) as session:
        add_search(session, name, query, now=ctx.now(), schedule=schedule, backfill_start=start)
        session.commit()
    typer.echo(f"added saved search {name!r}")


@app.command()
def remove(name: str) -> None:
    """Remove a saved search (its articles stay in the store)."""
    with open_context() as ctx, Session(ctx.engine) as session:
        remove_search(session, name)
        session.commit()
    typer.echo(f"removed saved search {name!r}")
