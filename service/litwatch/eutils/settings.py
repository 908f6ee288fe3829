"""How to reach E-utilities and how hard to use it: the client's settings, checked on creation."""

from __future__ import annotations

import hashlib
from dataclasses import dataclass
from urllib.parse import urlsplit

from litwatch.errors import ConfigError

# NCBI's published ceilings, requests per second.
RPS_WITHOUT_KEY = 3.0
RPS_WITH_KEY = 10.0


@dataclass(frozen=True)
class EutilsSettings:
    """Where E-utilities lives and how to behave towards it."""

    base_url: str
    tool: str
    email: str
    api_key: str | None = None
    max_rps: float | None = None
    timeout: float = 30.0
    max_tries: int = 6
    batch_size: int = 500
    backoff_max: float = 60.0

    def __post_init__(self) -> None:
        if not self.tool.strip() or not self.email.strip():
            raise ConfigError("NCBI asks for both tool and email on every E-utilities request")
        if self.max_tries < 1:
            raise ConfigError(f"max_tries must be at least 1, not {self.max_tries}")
        if not 1 <= self.batch_size <= 10_000:
            raise ConfigError(f"batch_size must be 1..10000, not {self.batch_size}")
        if self.max_rps is not None and self.max_rps <= 0:
            raise ConfigError(f"max_rps must be positive, not {self.max_rps}")

    @property
    def requests_per_second(self) -> float:
        """The rate actually used: the setting, never above NCBI's ceiling for this key."""
        ceiling = RPS_WITH_KEY if self.api_key else RPS_WITHOUT_KEY
        return ceiling if self.max_rps is None else min(self.max_rps, ceiling)

    @property
    def budget_name(self) -> str:
        """Who the server counts these requests against: the API key (hashed, so the key is not
        stored), or, without one, this tool's address at that host, shared by keyless instances."""
        host = urlsplit(self.base_url).netloc.lower()
        if self.api_key:
            digest = hashlib.sha256(self.api_key.encode()).hexdigest()[:16]
            return f"{host} key:{digest}"
        return f"{host} no key"

    @property
    def request_bound(self) -> float:
        """Seconds within which a sent request has surely reached the server or failed:
        connect, write and a pooled connection's wait each end at ``timeout``."""
        return 3 * self.timeout
