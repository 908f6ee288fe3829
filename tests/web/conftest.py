"""The seeded store the web tests share: made once per module, copied for each test."""

from __future__ import annotations

import shutil
from pathlib import Path

import pytest

from tests.web.test_app import make_context, seed


@pytest.fixture(scope="module")
def _seeded_template(tmp_path_factory: pytest.TempPathFactory, _sqlite_template: Path) -> Path:
    """A migrated SQLite file with the articles stored and classified, made once per module."""
    path = tmp_path_factory.mktemp("web") / "seeded.db"
    shutil.copyfile(_sqlite_template, path)
    with make_context(f"sqlite:///{path}") as ctx:
        seed(ctx)
    return path


@pytest.fixture
def seeded_url(_seeded_template: Path, tmp_path: Path) -> str:
    """A fresh copy of the seeded database for one test."""
    target = tmp_path / "litwatch.db"
    shutil.copyfile(_seeded_template, target)
    return f"sqlite:///{target}"
