"""Run a `litwatch` command that stops dead at a chosen point, for the parent to SIGKILL it.

    python -m tests.helpers.kill_point MARKER POINT -- ARGS...

runs ``litwatch ARGS...`` in this process with a trap set. When the command reaches POINT the
trap writes MARKER (a file; the point's name and this process's PID) and blocks for good, so a
test can kill the process exactly there and look at what the database kept. The points:

``batch:N``       just before the database commit of the Nth transaction that stored articles
                  (the rows are written, the commit not yet made)
``watermark``     just before the commit that moves a search's watermark
``smtp-connect``  just before the mailer opens its SMTP connection
``sent:N``        just before the commit that records the Nth digest as sent (the SMTP server
                  has accepted it)

With ``KILL_POINT_ARMED_BY=PATH`` in the environment the trap counts only once PATH exists, so
a long-running command (`serve`) can be stopped at a point the test chooses the moment of.

The trap watches the SQL each connection runs (SQLAlchemy's engine events, for every engine of
the process), so it sees the commits whatever code makes them.
"""

from __future__ import annotations

import os
import re
import smtplib
import sys
import threading
import time
from pathlib import Path
from typing import Any

from sqlalchemy import event
from sqlalchemy.engine import Engine

from litwatch.cli import main

# What a transaction wrote, by the statements it ran.
_WROTE = {
    "batch": re.compile(r"^\s*INSERT INTO article\b", re.I),
    "watermark": re.compile(r"^\s*UPDATE saved_search SET .*\bwatermark\b", re.I | re.S),
    "sent": re.compile(r"^\s*UPDATE digest SET .*\bsent_at\b", re.I | re.S),
}


class Trap:
    """Counts the commits of each kind and stops the process at the chosen one."""

    def __init__(self, marker: Path, point: str) -> None:
        kind, _, nth = point.partition(":")
        self.marker, self.point, self.kind = marker, point, kind
        self.nth = int(nth or 1)
        self.seen = 0
        armed_by = os.environ.get("KILL_POINT_ARMED_BY")
        self.armed_by = Path(armed_by) if armed_by else None
        self.lock = threading.Lock()

    def stop_here(self) -> None:
        """Say where we are, then wait to be killed."""
        tmp = self.marker.with_suffix(".tmp")
        tmp.write_text(f"{self.point} {os.getpid()}\n")
        os.replace(tmp, self.marker)
        while True:
            time.sleep(60)

    def before_execute(self, conn: Any, cursor: Any, statement: str, *_: Any) -> None:
        for kind, pattern in _WROTE.items():
            if pattern.match(statement):
                conn.info.setdefault("lw_wrote", set()).add(kind)

    def on_commit(self, conn: Any) -> None:
        wrote = conn.info.pop("lw_wrote", set())
        if self.kind not in wrote or (self.armed_by and not self.armed_by.exists()):
            return
        with self.lock:
            self.seen += 1
            hit = self.seen == self.nth
        if hit:
            self.stop_here()

    def on_rollback(self, conn: Any) -> None:
        conn.info.pop("lw_wrote", None)

    def install(self) -> None:
        event.listen(Engine, "before_cursor_execute", self.before_execute)
        event.listen(Engine, "commit", self.on_commit)
        event.listen(Engine, "rollback", self.on_rollback)
        if self.kind == "smtp-connect":
            real = smtplib.SMTP.connect

            def connect(smtp: smtplib.SMTP, *args: Any, **kwargs: Any) -> Any:
                self.stop_here()
                return real(smtp, *args, **kwargs)  # pragma: no cover - never reached

            smtplib.SMTP.connect = connect  # type: ignore[method-assign]


def run() -> int:
    argv = sys.argv[1:]
    if len(argv) < 3 or argv[2] != "--":
        sys.exit(__doc__)
    Trap(Path(argv[0]), argv[1]).install()
    return main(argv[3:])


if __name__ == "__main__":
    sys.exit(run())
