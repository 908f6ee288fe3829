"""Alembic environment: runs on the engine litwatch hands in (see litwatch.store.engine.migrate)."""

from __future__ import annotations

from alembic import context
from sqlmodel import SQLModel

import litwatch.store.tables  # noqa: F401  (registers the tables on SQLModel.metadata)
from litwatch.store.engine import make_engine

config = context.config
target_metadata = SQLModel.metadata


def run_migrations() -> None:
    engine = config.attributes.get("engine")
    if engine is None:
        engine = make_engine(config.get_main_option("sqlalchemy.url") or "")
    with engine.begin() as connection:
        context.configure(
            connection=connection,
            target_metadata=target_metadata,
            render_as_batch=connection.dialect.name == "sqlite",
        )
        context.run_migrations()


run_migrations()
