"""`litwatch serve`."""

from __future__ import annotations

import typer

from litwatch.cli.shared import open_context


def serve(
    web: bool = typer.Option(True, "--web/--no-web", help="Also serve the web app."),
    host: str | None = typer.Option(None, "--host", help="Default: LITWATCH_WEB_HOST."),
    port: int | None = typer.Option(None, "--port", help="Default: LITWATCH_WEB_PORT."),
) -> None:
    """Run the service: polls on schedule, classifies, sends digests; stops on SIGTERM/SIGINT."""
    from litwatch.jobs.serve import serve as run

    with open_context() as ctx:
        run(ctx, web=web, host=host, port=port)


def register(app: typer.Typer) -> None:
    app.command()(serve)
