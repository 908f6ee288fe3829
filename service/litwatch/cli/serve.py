"""`litwatch serve`."""

from __future__ import annotations

import typer

from litwatch.cli.runtime import open_context


def serve(
    web: bool = typer.Option(True, "--web/--no-web", help="Also serve the web app."),
    host: str | None = typer.Option(None, "--host", help="Default: LITWATCH_WEB_HOST."),
    port: int | None = typer.Option(None, "--port", help="Default: LITWATCH_WEB_PORT."),
) -> None:
    """Run the service: polls on schedule, classifies, sends digests; stops on SIGTERM/SIGINT."""
    from litwatch.jobs.serve import serve as run
    from litwatch.web import create_app

    with open_context() as ctx:
        run(ctx, make_app=create_app if web else None, host=host, port=port)


def register(app: typer.Typer) -> None:
    app.command()(serve)
