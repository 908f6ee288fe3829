"""The state every command shares: the global options, the settings, the running context."""

from __future__ import annotations

import logging
import sys
from collections.abc import Iterator
from contextlib import contextmanager
from dataclasses import dataclass
from pathlib import Path

from litwatch.config import Settings, load_settings
from litwatch.context import Context, build_context
from litwatch.errors import StoreError
from litwatch.store.engine import is_initialised

# The exit status of a run a person asked for that did not happen because another run of the
# same job holds its lock (sysexits' EX_TEMPFAIL: try again later).
EXIT_BUSY = 75


@dataclass
class State:
    config: Path | None = None
    debug: bool = False
    settings: Settings | None = None


state = State()


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
        # The jobs log their own outcome in one line. APScheduler's "executed successfully"
        # would follow a job that logged an error and returned, as if it had worked.
        if not state.debug:
            logging.getLogger("apscheduler").setLevel(logging.WARNING)
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
