"""What every command shares: global options, the context, output helpers."""

from __future__ import annotations

import json
import logging
import sys
from collections.abc import Iterator, Sequence
from contextlib import contextmanager
from dataclasses import dataclass
from datetime import date, datetime
from pathlib import Path
from typing import Any

import typer
from rich.console import Console
from rich.table import Table
from rich.text import Text

from litwatch.config import Settings, load_settings
from litwatch.context import Context, build_context
from litwatch.errors import ConfigError, StoreError
from litwatch.store.engine import is_initialised


@dataclass
class State:
    config: Path | None = None
    debug: bool = False
    settings: Settings | None = None


state = State()
console = Console(soft_wrap=True)
err_console = Console(stderr=True, soft_wrap=True)


def settings() -> Settings:
    if state.settings is None:
        state.settings = load_settings(state.config)
        logging.basicConfig(
            level=logging.DEBUG if state.debug else state.settings.log_level,
            format="%(asctime)s %(levelname)s %(name)s: %(message)s",
            stream=sys.stderr,
        )
        # httpx logs each request URL, and a GET URL carries the API key.
        logging.getLogger("httpx").setLevel(logging.WARNING)
        logging.getLogger("alembic").setLevel(logging.WARNING)
    return state.settings


@contextmanager
def open_context(*, require_init: bool = True) -> Iterator[Context]:
    """Build the context from settings; refuse to work on a database never initialised."""
    ctx = build_context(settings())
    try:
        if require_init and not is_initialised(ctx.engine):
            raise StoreError("the database is not initialised: run `litwatch init` first")
        yield ctx
    finally:
        ctx.close()


def parse_date(value: str | None, option: str) -> date | None:
    if value is None:
        return None
    try:
        return date.fromisoformat(value)
    except ValueError:
        raise ConfigError(f"{option}: {value!r} is not a date (YYYY-MM-DD)") from None


def check_choice(value: str, choices: Sequence[str], option: str) -> str:
    if value not in choices:
        raise ConfigError(f"{option} must be one of {', '.join(choices)} (got {value!r})")
    return value


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
