"""Running the `litwatch` command in-process, on a store of its own under tmp_path."""

from __future__ import annotations

import os
from pathlib import Path

import pytest

from litwatch.cli import main


def cli_env(tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> Path:
    """No LITWATCH_* setting from outside; a SQLite file here; NCBI unreachable on purpose."""
    for key in list(os.environ):
        if key.startswith("LITWATCH_") or key == "NCBI_API_KEY":
            monkeypatch.delenv(key)
    monkeypatch.chdir(tmp_path)
    monkeypatch.setenv("LITWATCH_DATABASE_URL", f"sqlite:///{tmp_path / 'lw.db'}")
    monkeypatch.setenv("LITWATCH_EUTILS_URL", "http://127.0.0.1:9/")
    monkeypatch.setenv("LITWATCH_NCBI_EMAIL", "team@example.org")
    return tmp_path


def run(capsys: pytest.CaptureFixture[str], *args: str) -> tuple[int, str, str]:
    """Exit code, standard output and standard error of one command."""
    code = main(list(args))
    out, err = capsys.readouterr()
    return code, out, err
