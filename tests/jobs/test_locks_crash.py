"""A `litwatch poll` SIGKILLed between batches: the next poll runs at once (no lease left to
wait out) and every record ends up stored exactly once."""

from __future__ import annotations

import signal
import subprocess
import sys
import time
from datetime import UTC, datetime

import pytest
from sqlalchemy import func
from sqlmodel import Session, select

from litwatch.store.engine import make_engine
from litwatch.store.searches import add_search
from litwatch.store.tables import Article, PollRun, SearchHit
from tests.helpers.e2e import fake_eutils
from tests.helpers.synthetic_records import TOPIC_QUERY
from tests.jobs.test_locks import ROOT, child_env
from tests.jobs.test_poll import corpus_of

pytestmark = pytest.mark.slow

TOTAL, BATCH = 240, 20


def stored(engine) -> int:  # type: ignore[no-untyped-def]
    with Session(engine) as s:
        return s.exec(select(func.count()).select_from(Article)).one()


def poll_cmd(url: str, base_url: str) -> tuple[list[str], dict[str, str]]:
    env = child_env(url, base_url)
    env.update(LITWATCH_EUTILS_BATCH_SIZE=str(BATCH), LITWATCH_NCBI_MAX_RPS="4")
    return [sys.executable, "-m", "litwatch.cli", "poll", "--search", "topic"], env


def test_a_poll_killed_mid_poll_is_followed_at_once(migrated_sqlite_url: str) -> None:
    engine = make_engine(migrated_sqlite_url)
    with Session(engine) as s:
        add_search(s, "topic", TOPIC_QUERY, now=datetime.now(UTC))
        s.commit()
    with fake_eutils(corpus_of(TOTAL)) as (fake, base_url):
        cmd, env = poll_cmd(migrated_sqlite_url, base_url)
        first = subprocess.Popen(cmd, env=env, cwd=ROOT, stderr=subprocess.DEVNULL)
        deadline = time.monotonic() + 60
        while stored(engine) < 2 * BATCH and time.monotonic() < deadline:
            time.sleep(0.05)
        first.send_signal(signal.SIGKILL)
        first.wait(timeout=10)
        before = stored(engine)
        assert 2 * BATCH <= before < TOTAL  # killed between batches, with some committed
        with Session(engine) as s:
            assert [r.status for r in s.exec(select(PollRun))] == ["running"]

        started = time.monotonic()
        second = subprocess.run(cmd, env=env, cwd=ROOT, capture_output=True, text=True, timeout=120)
        took = time.monotonic() - started
        assert second.returncode == 0, second.stdout + second.stderr
        assert "topic: ok" in second.stdout and "skipped" not in second.stdout
        assert f"new {TOTAL - before}," in second.stdout
    assert took < 30  # not the lease's wait: the run itself
    with Session(engine) as s:
        articles = s.exec(select(func.count()).select_from(Article)).one()
        distinct = s.exec(select(func.count(func.distinct(Article.pmid)))).one()
        hits = s.exec(select(func.count()).select_from(SearchHit)).one()
        runs = sorted(s.exec(select(PollRun)).all(), key=lambda r: r.id)
    assert (articles, distinct, hits) == (TOTAL, TOTAL, TOTAL)
    assert [r.status for r in runs] == ["abandoned", "ok"]
    assert "process is gone" in runs[0].error and f"pid {first.pid}" in runs[0].error
    # Fetched again: at most the batch in flight when the first poll was killed.
    assert set(fake.served) == {str(70_000_001 + i) for i in range(TOTAL)}
    assert len(fake.served) - TOTAL <= BATCH
    print(f"killed after {before} stored; the next poll took {took:.1f}s")
    engine.dispose()
