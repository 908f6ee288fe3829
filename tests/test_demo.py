"""`make demo` end to end: fake E-utilities, a real SMTP server, the real commands."""

from __future__ import annotations

import email
import email.policy
import os
import sqlite3
import threading
import time
from pathlib import Path

import pytest

from litwatch import demo


@pytest.mark.slow
def test_demo_runs_the_whole_job_offline(
    tmp_path: Path, monkeypatch: pytest.MonkeyPatch, capsys: pytest.CaptureFixture[str]
) -> None:
    monkeypatch.chdir(tmp_path)
    threads_before = set(threading.enumerate())

    demo.main()

    out = capsys.readouterr().out
    root = tmp_path / "var" / "demo"
    received = sorted((root / "received").glob("*.eml"))
    assert len(received) == 2
    for path in received:
        msg = email.message_from_bytes(path.read_bytes(), policy=email.policy.default)
        assert msg.get_content_type() == "multipart/alternative"
        assert [p.get_content_type() for p in msg.iter_parts()] == ["text/plain", "text/html"]
        assert msg["Subject"] and msg["Message-ID"]
        assert str(path.relative_to(tmp_path)) in out
    assert {email.message_from_bytes(p.read_bytes())["To"] for p in received} == {
        "clinician@example.org",
        "skin@example.org",
    }
    with sqlite3.connect(root / "litwatch.db") as db:
        (articles,) = db.execute("SELECT count(*) FROM article").fetchone()
        (core,) = db.execute(
            "SELECT count(*) FROM classification WHERE relevance = 'core'"
        ).fetchone()
    assert articles > 0 and core > 0
    assert f"articles stored: {articles}" in out
    preview = root / "preview.html"
    assert preview.is_file() and "pubmed.ncbi.nlm.nih.gov" in preview.read_text()
    html = preview.read_text()
    # The demo corpus holds a retraction known only from its notice before the digest: the
    # digest marks the retraction in place. (The follow-up of RECOVER-SSc is among the
    # articles a first digest links to on the web: tests/integration/test_marks.py.)
    assert "RECOVER-SSc" in html
    # The retraction notices came with the articles they retract: shown in place, once.
    assert "Retracted: not counted as evidence" in html
    assert "Retraction notice, in this digest" in html
    assert not (root / "outbox").exists()  # everything went through SMTP

    # The servers are stopped; a request thread of the HTTP server may take a moment to end.
    deadline = time.monotonic() + 5
    for thread in set(threading.enumerate()) - threads_before:
        thread.join(timeout=max(deadline - time.monotonic(), 0))
    assert [t.name for t in set(threading.enumerate()) - threads_before if t.is_alive()] == []


def test_demo_environment_is_restored(monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.setenv("LITWATCH_TIMEZONE", "Europe/Paris")
    monkeypatch.setenv("NCBI_API_KEY", "abc")
    with demo.demo_environment({"LITWATCH_DATABASE_URL": "sqlite:///x.db"}):
        assert "LITWATCH_TIMEZONE" not in os.environ and "NCBI_API_KEY" not in os.environ
        assert os.environ["LITWATCH_DATABASE_URL"] == "sqlite:///x.db"
    assert os.environ["LITWATCH_TIMEZONE"] == "Europe/Paris"
    assert "LITWATCH_DATABASE_URL" not in os.environ


@pytest.mark.slow
def test_a_failing_step_stops_the_servers(
    tmp_path: Path, monkeypatch: pytest.MonkeyPatch, capsys: pytest.CaptureFixture[str]
) -> None:
    monkeypatch.chdir(tmp_path)
    monkeypatch.setattr(demo, "steps", lambda preview, export: [["init"], ["no-such-command"]])
    threads_before = set(threading.enumerate())

    with pytest.raises(SystemExit) as exit_info:
        demo.main()

    assert exit_info.value.code == 1
    assert "demo failed: `litwatch no-such-command` exited" in capsys.readouterr().err
    deadline = time.monotonic() + 5
    for thread in set(threading.enumerate()) - threads_before:
        thread.join(timeout=max(deadline - time.monotonic(), 0))
    assert [t.name for t in set(threading.enumerate()) - threads_before if t.is_alive()] == []
