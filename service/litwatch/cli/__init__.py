"""The `litwatch` command line. Errors print one clear line and exit non-zero.

Owns: the typer app and one module of commands per stage (``ingest``: init, poll, search,
export; ``searches``; ``judging``: classify, explain, feedback, evidence, eval; ``digests``:
subscribers, digest; ``runs``; ``audit``: the recall audit; ``serve``; ``passwords``:
hash-password).

May import: everything below it (jobs, context, the stages, config, records, errors) and
``litwatch.web`` (to serve it).
"""

from __future__ import annotations

import sys
import traceback
from pathlib import Path

import click
import typer
from rich.markup import escape
from typer._click.exceptions import ClickException as TyperClickException

from litwatch.cli.output import err_console
from litwatch.cli.runtime import state
from litwatch.errors import LitwatchError

app = typer.Typer(
    name="litwatch",
    help="Watch PubMed for new papers, judge each against known findings, email digests.",
    no_args_is_help=True,
    pretty_exceptions_enable=False,
    add_completion=False,
    # Click's own help layout, for every command and sub-command (they inherit it): typer's
    # rich panels give flags a value type ("--debug <bool>"), and box them to 80 columns.
    rich_markup_mode=None,
)


@app.callback()
def _global(
    config: Path | None = typer.Option(
        None, "--config", help="A TOML settings file (also LITWATCH_CONFIG)."
    ),
    debug: bool = typer.Option(False, "--debug", help="Show tracebacks and debug logs."),
) -> None:
    state.config = config
    state.debug = debug
    state.settings = None


def _register() -> None:
    from litwatch.cli import audit, digests, ingest, judging, passwords, runs, searches, serve

    ingest.register(app)
    app.add_typer(searches.app, name="searches")
    for module in (judging, digests, runs, audit, serve, passwords):
        module.register(app)


def main(argv: list[str] | None = None) -> int:
    """Entry point of the `litwatch` console script."""
    _register()
    args = sys.argv[1:] if argv is None else argv
    debug = "--debug" in args
    try:
        code = app(args=args, standalone_mode=False, prog_name="litwatch")
    except LitwatchError as exc:
        if debug:
            traceback.print_exc()
        err_console.print(f"[red]error:[/red] {escape(str(exc))}", highlight=False)
        return exc.exit_code
    except (typer.Exit, click.exceptions.Exit) as exc:
        return int(getattr(exc, "exit_code", 0) or 0)
    except (typer.Abort, click.exceptions.Abort):
        err_console.print("aborted")
        return 130
    except (TyperClickException, click.ClickException) as exc:
        exc.show()
        return exc.exit_code
    except KeyboardInterrupt:
        err_console.print("interrupted")
        return 130
    except Exception as exc:
        if debug:
            traceback.print_exc()
        err_console.print(
            f"[red]error:[/red] {type(exc).__name__}: {escape(str(exc))} "
            "(run with --debug for the traceback)",
            highlight=False,
        )
        return 1
    return code if isinstance(code, int) else 0


if __name__ == "__main__":  # pragma: no cover
    sys.exit(main())
