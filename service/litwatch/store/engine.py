"""The database engine and schema migrations (Alembic), for SQLite and PostgreSQL alike."""

from __future__ import annotations

from pathlib import Path
from typing import Any

from alembic import command
from alembic.config import Config
from sqlalchemy import Engine, create_engine, event, inspect, text
from sqlalchemy.engine import make_url
from sqlalchemy.exc import SQLAlchemyError
from tenacity import retry, retry_if_exception, stop_after_delay, wait_random

MIGRATIONS = Path(__file__).resolve().parent / "migrations"


def make_engine(url: str, **kwargs: Any) -> Engine:
    """An engine for ``url``; a SQLite file's folder is created, and the file runs in WAL mode."""
    parsed = make_url(url)
    if parsed.get_backend_name() == "sqlite":
        if parsed.database and parsed.database != ":memory:":
            Path(parsed.database).parent.mkdir(parents=True, exist_ok=True)
        engine = create_engine(url, connect_args={"timeout": 30}, **kwargs)

        @event.listens_for(engine, "connect")
        def _sqlite_pragmas(dbapi_conn: Any, _record: Any) -> None:
            cur = dbapi_conn.cursor()
            cur.execute("PRAGMA busy_timeout=30000")
            _wal(cur)
            cur.execute("PRAGMA foreign_keys=ON")
            cur.close()

        return engine
    return create_engine(url, pool_pre_ping=True, **kwargs)


@retry(
    retry=retry_if_exception(lambda e: "locked" in str(e)),
    wait=wait_random(0.01, 0.1),
    stop=stop_after_delay(30),
    reraise=True,
)
def _wal(cur: Any) -> None:
    """Put the file in WAL mode. On a new file the first connection does so under an
    exclusive lock, and SQLite answers another that asks meanwhile "database is locked" at
    once, without waiting its busy timeout: several processes starting on one new file (the
    rate budget's, say) then try again until the first is done."""
    cur.execute("PRAGMA journal_mode=WAL")


def alembic_config(engine: Engine) -> Config:
    cfg = Config()
    cfg.set_main_option("script_location", str(MIGRATIONS))
    cfg.attributes["engine"] = engine
    return cfg


def migrate(engine: Engine) -> None:
    """Create or upgrade the schema to the newest revision."""
    command.upgrade(alembic_config(engine), "head")


def is_initialised(engine: Engine) -> bool:
    return inspect(engine).has_table("alembic_version")


def ping(engine: Engine) -> str | None:
    """None if the database answers a trivial query, else why it did not."""
    try:
        with engine.connect() as conn:
            conn.execute(text("SELECT 1"))
    except SQLAlchemyError as exc:
        return str(exc)
    return None
