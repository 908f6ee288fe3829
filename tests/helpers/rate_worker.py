"""One instance drawing on a shared rate budget, for tests that run several at once.

``python -m tests.helpers.rate_worker BASE_URL DB_URL N``: builds a context as the service
does, says ``ready``, waits for ``go`` on stdin, then makes ``N`` esearch requests (each held
up on its way out by a random delay, as a reconnect would) and prints how many it made.
"""

from __future__ import annotations

import os
import random
import sys
import time

import httpx

from litwatch.config import load_settings
from litwatch.context import build_context


class DelayedTransport(httpx.HTTPTransport):
    """A real transport whose requests set off after a random delay, as over a slow link."""

    def __init__(self, most: float, seed: int) -> None:
        super().__init__()
        self._most = most
        self._rng = random.Random(seed)

    def handle_request(self, request: httpx.Request) -> httpx.Response:
        time.sleep(self._rng.uniform(0, self._most))
        return super().handle_request(request)


def main(argv: list[str]) -> None:
    base_url, db_url, n = argv[0], argv[1], int(argv[2])
    settings = load_settings(
        database_url=db_url,
        eutils_url=base_url,
        ncbi_email="rate@example.org",
        ncbi_api_key="shared-key",
        eutils_max_tries=10,
    )
    http = httpx.Client(transport=DelayedTransport(0.3, seed=os.getpid()))
    with build_context(settings, http=http) as ctx:
        client = ctx.eutils
        client._sleep = lambda s: None  # retry at once: only the budget paces the requests
        client.esearch("warm up")  # connections and the budget's rows made before the start
        print("ready", flush=True)
        sys.stdin.readline()
        for i in range(n):
            client.esearch(f"rituximab {i}")
        print(client.requests_made, flush=True)


if __name__ == "__main__":
    main(sys.argv[1:])
