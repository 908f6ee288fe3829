"""What one poll did: the counts a run records and ``litwatch poll`` prints."""

from __future__ import annotations

from dataclasses import dataclass, field
from datetime import date


@dataclass
class PollSummary:
    search: str
    window: tuple[date, date]
    found: int = 0
    new: int = 0
    updated: int = 0
    failed: int = 0
    deleted: int = 0
    requests: int = 0
    retries: int = 0
    quarantined: int = 0
    seconds: float = 0.0
    status: str = "ok"
    error: str = ""
    failed_pmids: list[str] = field(default_factory=list)
    held_by: str = ""  # skipped because this holder has the search's lock

    def line(self) -> str:
        return (
            f"{self.search}: {self.status}, window {self.window[0]}..{self.window[1]}, "
            f"found {self.found}, new {self.new}, updated {self.updated}, failed {self.failed}, "
            f"deleted {self.deleted}, quarantined {self.quarantined}, {self.requests} requests, "
            f"{self.retries} retries, {self.seconds:.1f}s"
        )
