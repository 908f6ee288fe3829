"""`litwatch subscribers ...` and `digest ...`."""

from __future__ import annotations

from pathlib import Path
from typing import TYPE_CHECKING

import typer
from sqlmodel import Session

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

if TYPE_CHECKING:
    from litwatch.context import Context

subscribers_app = typer.Typer(help="Who gets digests: add, list, remove.", no_args_is_help=True)
digest_app = typer.Typer(help="Digests: preview or send what is due.", no_args_is_help=True)


@subscribers_app.command("add")
def subscribers_add(
    email: str,
    name: str = typer.Option("", "--name"),
    search: list[str] = typer.Option(
        [], "--search", help="A saved search (repeatable); default: all."
    ),
    frequency: str = typer.Option("daily", "--frequency", help="daily or weekly"),
    min_relevance: str = typer.Option("core", "--min-relevance", help="core or related"),
    finding: list[str] = typer.Option([], "--finding", help="Only these findings (repeatable)."),
    send_empty: bool = typer.Option(False, "--send-empty", help="Send even when nothing is new."),
) -> None:
    """Subscribe an address to digests."""
    from litwatch.digests.subscribers import add_subscriber

    with open_context() as ctx, Session(ctx.engine) as session:
        known = {f.id for f in ctx.knowledge_base.findings}
        sub = add_subscriber(
            session,
            email,
            now=ctx.now(),
            name=name,
            searches=search,
            frequency=frequency,
            min_relevance=min_relevance,
            findings=finding,
            known_findings=known,
            send_empty=send_empty,
        )
        session.commit()
        typer.echo(f"subscribed {sub.email} ({sub.frequency}, {sub.min_relevance})")


@subscribers_app.command("list")
def subscribers_list(fmt: str = typer.Option("table", "--format", help=FORMAT_HELP)) -> None:
    """List subscribers with their filters and last digest."""
    from litwatch.store.subscribers import list_subscribers

    table_format(fmt)
    with open_context() as ctx, Session(ctx.engine) as session:
        subs = [s.model_dump() for s in list_subscribers(session)]
    if fmt == "json":
        print_json(subs)
        return
    if fmt == "csv":
        print_csv(subs, list(subs[0]) if subs else ["email", "name", "active"])
        return
    print_table(
        "Subscribers",
        [
            "email",
            "name",
            "active",
            "frequency",
            "min relevance",
            "searches",
            "findings",
            "last digest",
        ],
        [
            [
                s["email"],
                s["name"],
                s["active"],
                s["frequency"],
                s["min_relevance"],
                ", ".join(s["searches"]) or "all",
                ", ".join(s["findings"]) or "all",
                s["last_digest_at"],
            ]
            for s in subs
        ],
    )


@subscribers_app.command("remove")
def subscribers_remove(email: str) -> None:
    """Stop sending digests to an address."""
    from litwatch.digests.subscribers import unsubscribe

    with open_context() as ctx, Session(ctx.engine) as session:
        changed = unsubscribe(session, email, now=ctx.now())
        session.commit()
    typer.echo(f"removed {email}" if changed else f"{email} was already unsubscribed")


@digest_app.command("preview")
def digest_preview(
    email: str,
    output: Path | None = typer.Option(None, "--output", help="Write the HTML here."),
) -> None:
    """Write the HTML of the digest EMAIL would get now (nothing is recorded or sent)."""
    from litwatch.jobs.digest_run import preview

    with open_context() as ctx:
        msg = preview(ctx, email)
    assert msg is not None
    html_part = msg.get_body(preferencelist=("html",))
    html = html_part.get_content() if html_part is not None else ""
    path = output or Path("var") / "preview.html"
    path.parent.mkdir(parents=True, exist_ok=True)
    path.write_text(html, encoding="utf-8")
    typer.echo(f"subject: {msg['Subject']}")
    typer.echo(f"wrote the HTML preview to {path}")


@digest_app.command("send")
def digest_send(
    subscriber: str | None = typer.Option(None, "--subscriber", help="Only this address."),
    dry_run: bool = typer.Option(False, "--dry-run", help="Say what would be sent; send nothing."),
    now: bool = typer.Option(False, "--now", help="Make digests now even if not yet due."),
) -> None:
    """Send the digests that are due (and retry earlier failures whose time has come)."""
    from litwatch.jobs.digest_run import due_subscribers, preview, run_digests

    with open_context() as ctx:
        if dry_run:
            with Session(ctx.engine) as session:
                subs = due_subscribers(ctx, session, force=now)
                emails = [s.email for s in subs if subscriber in (None, s.email)]
            for email in emails:
                msg = preview(ctx, email, force=False)
                typer.echo(f"{email}: " + (msg["Subject"] if msg else "nothing to send"))
            if not emails:
                typer.echo("no digest is due")
                _say_when_next(ctx, subscriber)
            return
        result = run_digests(ctx, only_email=subscriber, force=now)
        if not (result.skipped or result.attempted or result.created or result.errors):
            typer.echo("no digest sent: " + ("nothing new to send" if now else "none is due"))
            if not now:
                _say_when_next(ctx, subscriber)
            return
    if result.skipped:
        err_console.print(f"digest send {result.line()}", markup=False, highlight=False)
        raise typer.Exit(EXIT_BUSY)
    console.print(result.line(), markup=False, highlight=False)
    for path in result.outbox:
        typer.echo(f"written to the outbox (no SMTP server set): {path}")
    for error in result.errors:
        err_console.print(f"  {error}", markup=False, highlight=False)
    if result.failed:
        raise typer.Exit(1)


def _say_when_next(ctx: Context, only_email: str | None) -> None:
    """Each subscriber's next digest, and the command that sends one now."""
    from litwatch.jobs.digest_run import next_digests
    from litwatch.templating import localdatetime

    upcoming = next_digests(ctx, only_email)
    if not upcoming:
        typer.echo("no active subscriber" + (f" {only_email}" if only_email else ""))
        return
    now = ctx.now()
    for nxt in upcoming:
        when = "due now" if nxt.due_at <= now else localdatetime(nxt.due_at, ctx.settings.timezone)
        typer.echo(f"  {nxt.email} ({nxt.frequency}): next digest {when}")
    flag = f" --subscriber {only_email}" if only_email else " [--subscriber EMAIL]"
    typer.echo(f"to send now, not waiting for the schedule: litwatch digest send --now{flag}")


def register(app: typer.Typer) -> None:
    app.add_typer(subscribers_app, name="subscribers")
    app.add_typer(digest_app, name="digest")
