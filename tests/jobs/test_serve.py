"""Real `litwatch serve` processes: a clean stop on SIGTERM, three instances sharing one
PostgreSQL database that poll each search once and send each digest once, and a service with
no contact address for NCBI that says so once and polls nothing."""

from __future__ import annotations

import os
import signal
import subprocess
import sys
import time
from datetime import UTC, date, datetime, timedelta
from pathlib import Path

import httpx
import pytest
from sqlmodel import Session, select

from litwatch.config import load_settings
from litwatch.context import build_context
from litwatch.default_search import DEFAULT_QUERY
from litwatch.digests.subscribers import add_subscriber
from litwatch.fake_eutils.corpus import Corpus
from litwatch.fake_eutils.democorpus import load_demo_corpus
from litwatch.jobs.poll import poll_search
from litwatch.store.searches import add_search
from litwatch.store.tables import Digest, JobRun, PollRun, SavedSearch
from tests.digests.test_mailer import Recorder, free_port, smtp_server
from tests.helpers.e2e import fake_eutils
from tests.helpers.synthetic_records import TOPIC_QUERY, make_records

pytestmark = pytest.mark.slow

LITWATCH = [sys.executable, "-m", "litwatch.cli"]


def serve_env(db_url: str, eutils: str, smtp_port: int | None, tmp: Path) -> dict[str, str]:
    env = {k: v for k, v in os.environ.items() if not k.startswith("LITWATCH_")}
    env.update(
        LITWATCH_DATABASE_URL=db_url,
        LITWATCH_EUTILS_URL=eutils,
        LITWATCH_NCBI_EMAIL="serve@example.org",
        LITWATCH_NCBI_API_KEY="test-key",
        LITWATCH_SECRET_KEY="s3cret",
        LITWATCH_OUTBOX_DIR=str(tmp / "outbox"),
        LITWATCH_DIGEST_TIME="00:00",
        LITWATCH_LOG_LEVEL="INFO",
    )
    if smtp_port:
        env["LITWATCH_SMTP_URL"] = f"smtp://127.0.0.1:{smtp_port}"
    return env


def start(env: dict[str, str], tmp: Path, name: str) -> subprocess.Popen[bytes]:
    with (tmp / f"{name}.log").open("wb") as log:  # the child keeps its own copy
        return subprocess.Popen(
            [*LITWATCH, "serve", "--no-web"],
            env=env,
            cwd=tmp,
            stdout=log,
            stderr=subprocess.STDOUT,
        )


def wait_for(check, timeout: float = 60.0) -> bool:  # type: ignore[no-untyped-def]
    deadline = time.monotonic() + timeout
    while time.monotonic() < deadline:
        if check():
            return True
        time.sleep(0.2)
    return False


def stop(proc: subprocess.Popen[bytes]) -> int:
    proc.send_signal(signal.SIGTERM)
    try:
        return proc.wait(timeout=60)
    except subprocess.TimeoutExpired:
        proc.kill()
        raise


@pytest.fixture
def corpus() -> Corpus:
    c = Corpus()
    c.add_records(make_records(120, start_pmid=70_000_001, crdt_start=date(2026, 10, 1)))
    return c


def prepare(db_url: str, searches: dict[str, str]) -> None:
    settings = load_settings(database_url=db_url, ncbi_email="serve@example.org")
    ctx = build_context(settings)
    now = datetime.now(UTC)
    with Session(ctx.engine) as s:
        for name, query in searches.items():
            add_search(s, name, query, now=now)
        add_subscriber(s, "panel@example.org", now=now - timedelta(days=2))
        s.commit()
    ctx.close()


def test_serve_stops_cleanly_on_sigterm(
    migrated_sqlite_url: str, corpus: Corpus, tmp_path: Path
) -> None:
    prepare(migrated_sqlite_url, {"topic": TOPIC_QUERY})
    with fake_eutils(corpus) as (_, base_url):
        proc = start(serve_env(migrated_sqlite_url, base_url, None, tmp_path), tmp_path, "one")
        engine = build_context(load_settings(database_url=migrated_sqlite_url)).engine
        try:

            def polled() -> bool:
                with Session(engine) as s:
                    return any(r.status == "ok" for r in s.exec(select(PollRun)))

            assert wait_for(polled), (tmp_path / "one.log").read_text()
        finally:
            code = stop(proc)
        log = (tmp_path / "one.log").read_text()
        assert code == 0, log
        assert "signal SIGTERM received" in log and "stopped" in log
        with Session(engine) as s:
            assert all(r.status != "running" for r in s.exec(select(PollRun)))
        engine.dispose()


def test_three_instances_share_the_work(migrated_pg_url: str, tmp_path: Path) -> None:
    prepare(migrated_pg_url, {"alpha": DEFAULT_QUERY, "beta": DEFAULT_QUERY + " AND 2026[dp]"})
    handler = Recorder()
    with fake_eutils(load_demo_corpus()) as (fake, base_url), smtp_server(handler) as smtp:
        # alpha was polled a moment ago (its articles are due to go out); beta never was.
        ctx = build_context(
            load_settings(
                database_url=migrated_pg_url,
                eutils_url=base_url,
                ncbi_email="serve@example.org",
                ncbi_api_key="test-key",
            )
        )
        assert poll_search(ctx, "alpha").new > 100
        ctx.close()
        fake.reset_log()
        env = serve_env(migrated_pg_url, base_url, smtp.port, tmp_path)
        procs = [start(env, tmp_path, f"i{n}") for n in range(3)]
        engine = build_context(load_settings(database_url=migrated_pg_url)).engine
        try:

            def settled() -> bool:
                with Session(engine) as s:
                    searches = s.exec(select(SavedSearch)).all()
                    sent = s.exec(select(Digest).where(Digest.status == "sent")).all()
                    return all(x.last_success_at for x in searches) and len(sent) >= 1

            assert wait_for(settled, 90), "\n".join(
                (tmp_path / f"i{n}.log").read_text() for n in range(3)
            )
            time.sleep(3)  # room for a duplicate to show itself, were there one
        finally:
            codes = [stop(p) for p in procs]
        assert codes == [0, 0, 0]
        with Session(engine) as s:
            runs = s.exec(select(PollRun)).all()
            per_search: dict[int, int] = {}
            for r in runs:
                per_search[r.search_id] = per_search.get(r.search_id, 0) + 1
            # One poll of beta by the three instances together (and alpha's, from before).
            assert sorted(per_search.values()) == [1, 1], [(r.search_id, r.status) for r in runs]
            digests = s.exec(select(Digest)).all()
            assert [d.status for d in digests] == ["sent"]
            assert s.exec(select(JobRun)).all()
        engine.dispose()
    assert len(handler.received) == 1
    # The instances searched PubMed once between them: beta's backfill.
    searches = [r for r in fake.requests if r.path.endswith("esearch.fcgi")]
    assert len(searches) == 1


def test_serve_without_an_address_says_so_once_and_stops_once(
    migrated_sqlite_url: str, tmp_path: Path
) -> None:
    """`litwatch serve` with no LITWATCH_NCBI_EMAIL for the real NCBI: one ERROR at start
    naming the setting, no poll scheduled or reported done, the banner on the pages, 503 at
    /healthz; two SIGTERMs (a process group and `make` each passing one) logged once."""
    prepare(migrated_sqlite_url, {"topic": TOPIC_QUERY})
    env = serve_env(migrated_sqlite_url, "", None, tmp_path)
    del env["LITWATCH_NCBI_EMAIL"], env["LITWATCH_EUTILS_URL"]  # NCBI itself: never reached
    port = free_port()
    with (tmp_path / "serve.log").open("wb") as out:
        proc = subprocess.Popen(
            [*LITWATCH, "serve", "--port", str(port)],
            env=env,
            cwd=tmp_path,
            stdout=out,
            stderr=subprocess.STDOUT,
        )
    log = tmp_path / "serve.log"
    try:
        assert wait_for(lambda: "web app on" in log.read_text()), log.read_text()
        with httpx.Client(base_url=f"http://127.0.0.1:{port}", trust_env=False) as client:
            assert wait_for(lambda: _answers(client)), log.read_text()
            health = client.get("/healthz")
            page = client.get("/", follow_redirects=True)  # the login page, as none is set
        time.sleep(1.5)  # a poll job would have run and failed by now
        proc.send_signal(signal.SIGTERM)
        time.sleep(0.1)
        proc.send_signal(signal.SIGTERM)
        code = proc.wait(timeout=60)
    finally:
        if proc.poll() is None:
            proc.kill()
    text = log.read_text()
    assert code == 0, text
    assert health.status_code == 503 and health.json()["polling"] == "off"
    assert 'id="service-banner"' in page.text and "LITWATCH_NCBI_EMAIL" in page.text
    errors = [line for line in text.splitlines() if " ERROR " in line]
    assert len(errors) == 1 and "LITWATCH_NCBI_EMAIL" in errors[0], text
    assert sum("LITWATCH_NCBI_EMAIL" in line for line in text.splitlines()) == 1, text
    assert "executed successfully" not in text and "poll:" not in text, text
    assert text.count("signal SIGTERM received") == 1 and text.rstrip().endswith("stopped"), text


def _answers(client: httpx.Client) -> bool:
    try:
        return client.get("/healthz").status_code in (200, 503)
    except httpx.TransportError:
        return False
