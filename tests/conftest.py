"""Shared test set-up: no network but loopback, fixture paths, real databases."""

from __future__ import annotations

import ipaddress
import os
import socket
import uuid
from collections.abc import Iterator
from pathlib import Path

import pytest

from tests.helpers.paths import SHARED_FIXTURES


def _is_loopback(host: str) -> bool:
    if host in ("localhost", ""):
        return True
    try:
        return ipaddress.ip_address(host).is_loopback
    except ValueError:
        return False


_real_connect = socket.socket.connect
_real_connect_ex = socket.socket.connect_ex
_real_getaddrinfo = socket.getaddrinfo


def _guarded_connect(self: socket.socket, address, *args, **kwargs):  # type: ignore[no-untyped-def]
    if self.family in (socket.AF_INET, socket.AF_INET6) and not _is_loopback(address[0]):
        raise ConnectionRefusedError(f"tests may not reach {address[0]}: loopback only")
    return _real_connect(self, address, *args, **kwargs)


def _guarded_connect_ex(self: socket.socket, address, *args, **kwargs):  # type: ignore[no-untyped-def]
    if self.family in (socket.AF_INET, socket.AF_INET6) and not _is_loopback(address[0]):
        raise ConnectionRefusedError(f"tests may not reach {address[0]}: loopback only")
    return _real_connect_ex(self, address, *args, **kwargs)


def _guarded_getaddrinfo(host, *args, **kwargs):  # type: ignore[no-untyped-def]
    if isinstance(host, bytes):
        host = host.decode()
    if host is not None and not _is_loopback(str(host)):
        raise socket.gaierror(f"tests may not resolve {host}: loopback only")
    return _real_getaddrinfo(host, *args, **kwargs)


def pytest_configure(config: pytest.Config) -> None:
    # Nothing in the test suite may reach past this machine.
    socket.socket.connect = _guarded_connect  # type: ignore[method-assign]
    socket.socket.connect_ex = _guarded_connect_ex  # type: ignore[method-assign]
    socket.getaddrinfo = _guarded_getaddrinfo  # type: ignore[assignment]


@pytest.fixture
def shared_fixtures() -> Path:
    """The real NCBI answers beside the checkout; the test skips where they are absent."""
    if not SHARED_FIXTURES.is_dir():
        pytest.skip("../shared/fixtures/eutils is not beside this checkout")
    return SHARED_FIXTURES


@pytest.fixture
def sqlite_url(tmp_path: Path) -> str:
    """A fresh SQLite file for one test."""
    return f"sqlite:///{tmp_path / 'litwatch.db'}"


@pytest.fixture(scope="session")
def pg_server_url() -> str:
    """The PostgreSQL server named by LITWATCH_TEST_PG_URL; skip when unset, fail when down."""
    url = os.environ.get("LITWATCH_TEST_PG_URL")
    if not url:
        pytest.skip("LITWATCH_TEST_PG_URL is not set")
    import psycopg

    try:
        with psycopg.connect(url, connect_timeout=5):
            pass
    except psycopg.OperationalError as exc:
        pytest.fail(f"LITWATCH_TEST_PG_URL={url} does not answer: {exc}")
    return url


@pytest.fixture
def pg_url(pg_server_url: str) -> Iterator[str]:
    """A fresh, empty PostgreSQL database for one test, dropped afterwards."""
    import psycopg

    name = f"litwatch_test_{uuid.uuid4().hex[:12]}"
    with psycopg.connect(pg_server_url, autocommit=True) as conn:
        conn.execute(f'CREATE DATABASE "{name}"')
    base = pg_server_url.rsplit("/", 1)[0]
    try:
        yield f"postgresql+psycopg://{base.split('://', 1)[1]}/{name}"
    finally:
        with psycopg.connect(pg_server_url, autocommit=True) as conn:
            conn.execute(f'DROP DATABASE IF EXISTS "{name}" WITH (FORCE)')


@pytest.fixture(params=["sqlite", "postgresql"])
def db_url(request: pytest.FixtureRequest, tmp_path: Path) -> str:
    """Each store test runs on a SQLite file and on a fresh PostgreSQL database."""
    if request.param == "sqlite":
        return f"sqlite:///{tmp_path / 'litwatch.db'}"
    return request.getfixturevalue("pg_url")


# --- migrated databases, copied from a template migrated once per session ---------------


@pytest.fixture(scope="session")
def _sqlite_template(tmp_path_factory: pytest.TempPathFactory) -> Path:
    from litwatch.store.engine import make_engine, migrate

    path = tmp_path_factory.mktemp("template") / "litwatch.db"
    engine = make_engine(f"sqlite:///{path}")
    migrate(engine)
    engine.dispose()
    return path


@pytest.fixture
def migrated_sqlite_url(tmp_path: Path, _sqlite_template: Path) -> str:
    """A SQLite file with the current schema, for one test."""
    import shutil

    target = tmp_path / "litwatch.db"
    shutil.copyfile(_sqlite_template, target)
    return f"sqlite:///{target}"


@pytest.fixture(scope="session")
def _pg_template(pg_server_url: str) -> Iterator[str]:
    import psycopg

    from litwatch.store.engine import make_engine, migrate

    name = f"litwatch_tmpl_{uuid.uuid4().hex[:12]}"
    with psycopg.connect(pg_server_url, autocommit=True) as conn:
        conn.execute(f'CREATE DATABASE "{name}"')
    base = pg_server_url.rsplit("/", 1)[0].split("://", 1)[1]
    engine = make_engine(f"postgresql+psycopg://{base}/{name}")
    migrate(engine)
    engine.dispose()
    try:
        yield name
    finally:
        with psycopg.connect(pg_server_url, autocommit=True) as conn:
            conn.execute(f'DROP DATABASE IF EXISTS "{name}" WITH (FORCE)')


@pytest.fixture
def migrated_pg_url(pg_server_url: str, _pg_template: str) -> str:
    """The session's migrated PostgreSQL database, emptied for this test."""
    import psycopg

    base = pg_server_url.rsplit("/", 1)[0]
    with psycopg.connect(f"{base}/{_pg_template}", autocommit=True) as conn:
        tables = [
            r[0]
            for r in conn.execute(
                "SELECT tablename FROM pg_tables WHERE schemaname = 'public'"
                " AND tablename <> 'alembic_version'"
            )
        ]
        conn.execute(
            "TRUNCATE " + ", ".join(f'"{t}"' for t in tables) + " RESTART IDENTITY CASCADE"
        )
    return f"postgresql+psycopg://{base.split('://', 1)[1]}/{_pg_template}"


@pytest.fixture(params=["sqlite", "postgresql"])
def migrated_db_url(request: pytest.FixtureRequest) -> str:
    """A migrated SQLite file, then a migrated PostgreSQL database."""
    if request.param == "sqlite":
        return request.getfixturevalue("migrated_sqlite_url")
    return request.getfixturevalue("migrated_pg_url")
