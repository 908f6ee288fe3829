"""Shared set-up for end-to-end tests: a fake E-utilities server and a context pointing at it."""

from __future__ import annotations

import re
from collections.abc import Iterator
from contextlib import contextmanager
from datetime import UTC, date, datetime
from typing import Any

from litwatch.config import load_settings
from litwatch.context import Context, build_context
from litwatch.fake_eutils.answers import Reply
from litwatch.fake_eutils.corpus import Corpus
from litwatch.fake_eutils.eutils import FakeEutils
from litwatch.fake_eutils.server import running_server

TODAY = date(2026, 11, 25)
NOW = datetime(2026, 11, 25, 10, 0, tzinfo=UTC)


class Clock:
    """A clock tests move by hand."""

    def __init__(self, now: datetime = NOW) -> None:
        self.now = now

    def __call__(self) -> datetime:
        return self.now


_SERVED_PMID = re.compile(rb"<MedlineCitation[^>]*>\s*<PMID[^>]*>(\d+)</PMID>")


class CountingFake(FakeEutils):
    """The fake server, also noting every PMID each efetch answer carried."""

    def __init__(self, *args: Any, **kwargs: Any) -> None:
        super().__init__(*args, **kwargs)
        self.served: list[str] = []

    def efetch(self, p: dict[str, str]) -> Reply:
        reply = super().efetch(p)
        if reply.status == 200 and not reply.truncate:
            self.served.extend(m.decode() for m in _SERVED_PMID.findall(reply.body))
        return reply


@contextmanager
def fake_eutils(corpus: Corpus, **options: object) -> Iterator[tuple[CountingFake, str]]:
    fake = CountingFake(corpus, today=lambda: TODAY, **options)  # type: ignore[arg-type]
    with running_server(fake) as base_url:
        yield fake, base_url


def make_context(db_url: str, base_url: str, clock: Clock, **overrides: object) -> Context:
    values: dict[str, object] = {
        "database_url": db_url,
        "eutils_url": base_url,
        "ncbi_email": "e2e@example.org",
        "ncbi_api_key": "test-key",
        "eutils_batch_size": 50,
    }
    settings = load_settings(**{**values, **overrides})
    return build_context(settings, clock=clock)
