"""The running context: settings plus the real things built from them (engine, HTTP client...).

Built by the CLI, the scheduler and the web app with ``build_context(settings)``; tests build one
with real local parts (a SQLite file, a loopback fake E-utilities server).
"""

from __future__ import annotations

import secrets
from collections.abc import Callable
from dataclasses import dataclass, field
from datetime import UTC, datetime
from functools import cached_property
from pathlib import Path
from typing import TYPE_CHECKING

import httpx
import jinja2
from sqlalchemy import Engine

from litwatch.config import NCBI_EUTILS_URL, Settings
from litwatch.errors import ConfigError
from litwatch.eutils.client import EutilsClient
from litwatch.eutils.ratelimit import RateLimiter, shared_limiter
from litwatch.eutils.settings import EutilsSettings
from litwatch.store.engine import make_engine
from litwatch.store.rate_budget import DatabaseBudget, budget_engine

if TYPE_CHECKING:
    from litwatch.judging.evidence_cache import EvidenceCache
    from litwatch.judging.knowledge import KnowledgeBase


def utc_now() -> datetime:
    return datetime.now(UTC)


@dataclass
class Context:
    settings: Settings
    engine: Engine
    http: httpx.Client
    clock: Callable[[], datetime] = utc_now
    _closers: list[Callable[[], None]] = field(default_factory=list)

    @cached_property
    def eutils(self) -> EutilsClient:
        s = self.settings
        email = s.ncbi_email
        if not email:
            if s.eutils_url == NCBI_EUTILS_URL:
                raise ConfigError(
                    "LITWATCH_NCBI_EMAIL must be set to a contact address to use NCBI's "
                    "E-utilities (NCBI asks every tool for one)"
                )
            email = "litwatch@localhost"
        es = EutilsSettings(
            base_url=s.eutils_url,
            tool=s.ncbi_tool,
            email=email,
            api_key=s.ncbi_api_key,
            max_rps=s.ncbi_max_rps,
            timeout=s.eutils_timeout,
            max_tries=s.eutils_max_tries,
            batch_size=s.eutils_batch_size,
        )
        return EutilsClient(self.http, es, limiter=self._limiter(es))

    def _limiter(self, es: EutilsSettings) -> RateLimiter:
        """One budget for every instance with this key: in the shared database (PostgreSQL),
        in a file beside it (SQLite), or in this process for an in-memory store."""
        engine = budget_engine(self.engine)
        if engine is None:
            return shared_limiter(es.requests_per_second)
        if engine is not self.engine:
            self._closers.append(engine.dispose)
        return RateLimiter(
            es.requests_per_second,
            budget=DatabaseBudget(engine, es.budget_name),
            hold=es.request_bound + 1.0,
        )

    @cached_property
    def knowledge_base(self) -> KnowledgeBase:
        from litwatch.judging.knowledge_file import load_knowledge_base

        return load_knowledge_base(self.settings.findings)

    @cached_property
    def evidence_cache(self) -> EvidenceCache:
        """The evidence tables read for this process, kept while the store leaves them be."""
        from litwatch.judging.evidence_cache import EvidenceCache

        return EvidenceCache()

    @cached_property
    def templates(self) -> jinja2.Environment:
        """The one Jinja environment (templates compile once per process)."""
        from litwatch.templating import make_environment

        return make_environment()

    @cached_property
    def secret_key(self) -> str:
        """The key that signs links in emails: the setting, or one kept under var/."""
        if self.settings.secret_key:
            return self.settings.secret_key
        path = self.var_dir / "secret.key"
        if not path.exists():
            path.parent.mkdir(parents=True, exist_ok=True)
            path.write_text(secrets.token_urlsafe(32))
            path.chmod(0o600)
        return path.read_text().strip()

    @property
    def var_dir(self) -> Path:
        return self.settings.var_dir

    def now(self) -> datetime:
        return self.clock()

    def close(self) -> None:
        for closer in reversed(self._closers):
            closer()
        self.http.close()
        self.engine.dispose()

    def __enter__(self) -> Context:
        return self

    def __exit__(self, *exc: object) -> None:
        self.close()


def build_context(
    settings: Settings,
    *,
    http: httpx.Client | None = None,
    clock: Callable[[], datetime] = utc_now,
) -> Context:
    """Build the engine and HTTP client from settings (nothing is connected yet)."""
    engine = make_engine(settings.database_url)
    client = http or httpx.Client(
        timeout=settings.eutils_timeout,
        headers={"User-Agent": f"{settings.ncbi_tool} (litwatch)"},
    )
    return Context(settings=settings, engine=engine, http=client, clock=clock)
