"""The web app alone, on loopback, for the page benchmark: ``python -m bench.web_child DB PORT``.

Runs in its own process, so the timing clients never share its interpreter (or its GIL). No
scheduler: the benchmark times pages, not polls.
"""

from __future__ import annotations

import sys

import uvicorn

from litwatch.config import load_settings
from litwatch.context import build_context
from litwatch.jobs.serve import settle_heap
from litwatch.web import create_app


def main(database_url: str, port: int) -> None:
    settings = load_settings(
        database_url=database_url,
        eutils_url="http://127.0.0.1:9/",  # a live search is not timed: nothing listens there
        ncbi_email="bench@example.org",
        secret_key="bench-only-secret",
        web_public_read=True,
        web_token="bench-only-token-not-secret",  # a login is possible: no warning at start
    )
    with build_context(settings) as ctx:
        app = create_app(ctx)
        settle_heap()  # as ``litwatch serve`` does
        uvicorn.run(app, host="127.0.0.1", port=port, log_level="warning", access_log=False)


if __name__ == "__main__":
    main(sys.argv[1], int(sys.argv[2]))
