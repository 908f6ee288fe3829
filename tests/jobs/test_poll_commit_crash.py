"""A `litwatch poll` SIGKILLed inside a commit (the first batch's, a middle batch's, the
watermark's), on SQLite and on PostgreSQL: the next poll runs at once, every record ends up
stored once, the watermark is where a finished poll puts it, and the killed run is abandoned.

The child stops at its kill point deterministically (``tests.helpers.kill_point``): its rows
are written, the commit not yet made, when the parent kills it.
"""

from __future__ import annotations

import subprocess
import sys
import time
from datetime import UTC, datetime
from pathlib import Path

import psutil
import pytest
from sqlalchemy import func
from sqlmodel import Session, select

from litwatch.store.engine import make_engine
from litwatch.store.searches import add_search
from litwatch.store.tables import Article, PollRun, SavedSearch, SearchHit
from tests.helpers.e2e import fake_eutils
from tests.helpers.synthetic_records import TOPIC_QUERY
from tests.jobs.test_locks import ROOT, child_env
from tests.jobs.test_poll import corpus_of

pytestmark = pytest.mark.slow

TOTAL, BATCH = 120, 20  # six efetch batches
POLL = ["poll", "--search", "topic"]


def wait_for_marker(marker: Path, proc: subprocess.Popen[bytes], timeout: float = 120) -> str:
    """What the child wrote at its kill point; fails if it ended or never got there."""
    deadline = time.monotonic() + timeout
    while time.monotonic() < deadline:
        if marker.exists():
            return marker.read_text().strip()
        if proc.poll() is not None:
            pytest.fail(f"the child ended (status {proc.returncode}) before its kill point")
        time.sleep(0.05)
    proc.kill()
    pytest.fail(f"the child did not reach its kill point in {timeout}s")


def kill_at(point: str, env: dict[str, str], tmp: Path) -> int:
    """Run a poll that stops at ``point``, SIGKILL it there; its PID."""
    marker = tmp / f"marker-{point.replace(':', '-')}"
    cmd = [sys.executable, "-m", "tests.helpers.kill_point", str(marker), point, "--", *POLL]
    with (tmp / "killed.log").open("wb") as log:
        proc = subprocess.Popen(cmd, env=env, cwd=ROOT, stdout=log, stderr=subprocess.STDOUT)
    try:
        assert wait_for_marker(marker, proc) == f"{point} {proc.pid}"
    finally:
        proc.kill()  # SIGKILL
        proc.wait(timeout=30)
    return proc.pid


def poll_again(env: dict[str, str]) -> subprocess.CompletedProcess[str]:
    """The next `litwatch poll`. On PostgreSQL the server may take a moment to see the killed
    client's connection gone (and its advisory lock with it): a refusal then is retried."""
    cmd = [sys.executable, "-m", "litwatch.cli", *POLL]
    for _ in range(20):
        done = subprocess.run(cmd, env=env, cwd=ROOT, capture_output=True, text=True, timeout=180)
        if done.returncode != 75:
            return done
        time.sleep(0.5)
    return done


def counts(engine) -> tuple[int, int, int]:  # type: ignore[no-untyped-def]
    with Session(engine) as s:
        articles = s.exec(select(func.count()).select_from(Article)).one()
        distinct = s.exec(select(func.count(func.distinct(Article.pmid)))).one()
        hits = s.exec(select(func.count()).select_from(SearchHit)).one()
    return articles, distinct, hits


@pytest.mark.parametrize(
    ("point", "kept"),
    [("batch:1", 0), ("batch:3", 2 * BATCH), ("watermark", TOTAL)],
)
def test_a_poll_killed_inside_a_commit_is_recovered_from(
    migrated_db_url: str, tmp_path: Path, point: str, kept: int
) -> None:
    engine = make_engine(migrated_db_url)
    with Session(engine) as s:
        add_search(s, "topic", TOPIC_QUERY, now=datetime.now(UTC))
        s.commit()
    with fake_eutils(corpus_of(TOTAL)) as (fake, base_url):
        env = child_env(migrated_db_url, base_url)
        env.update(LITWATCH_EUTILS_BATCH_SIZE=str(BATCH), LITWATCH_NCBI_MAX_RPS="8")
        pid = kill_at(point, env, tmp_path)

        # What the killed poll left: the commit it was in never happened.
        assert counts(engine)[0] == kept
        with Session(engine) as s:
            search = s.exec(select(SavedSearch)).one()
            assert search.watermark is None and search.last_success_at is None
            assert [r.status for r in s.exec(select(PollRun))] == ["running"]
        served_before = len(fake.served)

        second = poll_again(env)
        assert second.returncode == 0, second.stdout + second.stderr
        assert "topic: ok" in second.stdout
    assert counts(engine) == (TOTAL, TOTAL, TOTAL)
    with Session(engine) as s:
        runs = sorted(s.exec(select(PollRun)).all(), key=lambda r: r.id)
        search = s.exec(select(SavedSearch)).one()
    assert [r.status for r in runs] == ["abandoned", "ok"], [(r.status, r.error) for r in runs]
    if migrated_db_url.startswith("sqlite"):
        assert "process is gone" in runs[0].error and f"pid {pid}" in runs[0].error
    else:
        assert "database session ended" in runs[0].error and f"pid {pid}" in runs[0].error
    assert runs[1].new == TOTAL - kept
    assert search.watermark == runs[1].window_end and search.last_success_at is not None
    # Fetched again: only what the killed poll had not committed.
    assert sorted(set(fake.served)) == [str(70_000_001 + i) for i in range(TOTAL)]
    assert len(fake.served) - served_before == TOTAL - kept
    engine.dispose()


def test_the_classifying_worker_ends_when_its_poll_is_killed(
    migrated_sqlite_url: str, tmp_path: Path
) -> None:
    """SIGKILL gives a poll no chance to stop its worker process: the worker ends by itself."""
    engine = make_engine(migrated_sqlite_url)
    with Session(engine) as s:
        add_search(s, "topic", TOPIC_QUERY, now=datetime.now(UTC))
        s.commit()
    engine.dispose()
    marker = tmp_path / "marker"
    with fake_eutils(corpus_of(TOTAL)) as (_, base_url):
        env = child_env(migrated_sqlite_url, base_url)
        env.update(LITWATCH_EUTILS_BATCH_SIZE=str(BATCH), LITWATCH_POLL_CLASSIFY_WORKER="true")
        cmd = [sys.executable, "-m", "tests.helpers.kill_point", str(marker), "batch:3", "--"]
        proc = subprocess.Popen([*cmd, *POLL], env=env, cwd=ROOT, stdout=subprocess.DEVNULL)
        try:
            wait_for_marker(marker, proc)
            workers = psutil.Process(proc.pid).children(recursive=True)
            assert workers  # the first batches were judged in the worker, which is still up
        finally:
            proc.kill()
            proc.wait(timeout=30)
        gone, alive = psutil.wait_procs(workers, timeout=10)
        for orphan in alive:
            orphan.kill()
        assert alive == [], f"worker processes outlived their poll: {alive}"
