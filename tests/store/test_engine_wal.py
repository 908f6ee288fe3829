"""A new SQLite file put in WAL mode by several processes at once: the ones that find it
locked try again rather than fail (SQLite answers them at once, without a busy wait)."""

from __future__ import annotations

import multiprocessing
import sqlite3
from pathlib import Path

from sqlalchemy import text

from litwatch.store.engine import _wal, make_engine


class _LockedTwice:
    def __init__(self) -> None:
        self.calls = 0

    def execute(self, sql: str) -> None:
        self.calls += 1
        if self.calls <= 2:
            raise sqlite3.OperationalError("database is locked")


def test_a_locked_file_is_asked_again() -> None:
    cursor = _LockedTwice()
    _wal(cursor)
    assert cursor.calls == 3


def _open(path: str) -> None:
    engine = make_engine(f"sqlite:///{path}")
    with engine.begin() as conn:
        conn.execute(text("CREATE TABLE IF NOT EXISTS t (x INTEGER)"))
    engine.dispose()


def test_processes_opening_a_new_file_at_once_all_open_it(tmp_path: Path) -> None:
    context = multiprocessing.get_context("spawn")
    for round_ in range(3):
        path = tmp_path / f"new-{round_}.db"
        workers = [context.Process(target=_open, args=(str(path),)) for _ in range(6)]
        for w in workers:
            w.start()
        for w in workers:
            w.join(timeout=60)
        assert [w.exitcode for w in workers] == [0] * 6
        with sqlite3.connect(path) as conn:
            assert conn.execute("PRAGMA journal_mode").fetchone() == ("wal",)
