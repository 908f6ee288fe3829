"""Three `litwatch serve` on one PostgreSQL database through several scheduled rounds of polls
and digests (searches polled `every 15s`, digests looked for every 5 s), one instance
SIGKILLed midway and started again. Counted at the fake E-utilities server and at the SMTP
server: each record fetched once per poll of its search (and the polls of a search never
overlap), each digest sent once, and no one-second window at the server holding more than
the key's limit, nor a 429.

Each round adds new records to the fake server and a new subscriber, and ends when a poll has
stored the records and the subscriber's digest has gone out. In the kill round the other two
instances are paused (SIGSTOP, at a moment they hold no lock and no open transaction) so that
instance 0 takes the poll, and it stops inside the commit of that poll's third batch
(``tests.helpers.kill_point``), where it is killed; then all three go on.
"""

from __future__ import annotations

import os
import signal
import sys
import time
from collections import Counter
from datetime import UTC, date, datetime, timedelta
from pathlib import Path
from subprocess import STDOUT, Popen
from typing import Any

import psutil
import psycopg
import pytest
from sqlalchemy import func
from sqlmodel import Session, select

from litwatch.config import load_settings
from litwatch.context import build_context
from litwatch.default_search import DEFAULT_QUERY
from litwatch.digests.subscribers import add_subscriber
from litwatch.fake_eutils.answers import Reply
from litwatch.fake_eutils.arrivals import most_in_window
from litwatch.fake_eutils.democorpus import load_demo_corpus
from litwatch.fake_eutils.server import running_server
from litwatch.store.engine import make_engine
from litwatch.store.searches import add_search
from litwatch.store.tables import Article, Digest, PollRun, SavedSearch, Subscriber
from tests.digests.test_delivery import received
from tests.digests.test_mailer import Recorder, smtp_server
from tests.helpers.e2e import CountingFake
from tests.helpers.synthetic_records import TOPIC_QUERY, make_records
from tests.jobs.test_locks import ROOT
from tests.jobs.test_poll_commit_crash import wait_for_marker
from tests.jobs.test_serve import serve_env, start, stop, wait_for

pytestmark = pytest.mark.slow

ROUNDS, BATCH, LIMIT = 4, 20, 10
KILL_AT = "batch:3"
KILL_ROUND = 2  # a bigger arrival, so instance 0 can be caught polling it
SIZES = [300 if r == KILL_ROUND else 60 for r in range(ROUNDS)]
EVERY = 15  # seconds between polls of a search
FIRST_PMID = 71_000_001


class TimedFake(CountingFake):
    """The fake server, noting when each efetch answer went out and which PMIDs it carried."""

    def __init__(self, *args: Any, **kwargs: Any) -> None:
        super().__init__(*args, **kwargs)
        self.fetches: list[tuple[datetime, list[str]]] = []

    def efetch(self, p: dict[str, str]) -> Reply:
        before = len(self.served)
        reply = super().efetch(p)
        self.fetches.append((datetime.now(UTC), self.served[before:]))
        return reply


def first_of(round_no: int) -> int:
    return FIRST_PMID + sum(SIZES[:round_no])


def new_records(round_no: int) -> bytes:
    """This round's arrivals: created today, so the next poll of ``beta`` finds them."""
    n = SIZES[round_no]
    return make_records(
        n, start_pmid=first_of(round_no), crdt_start=date.today(), per_day=n, seed=round_no
    )


def round_pmids(round_no: int) -> set[str]:
    return {str(first_of(round_no) + i) for i in range(SIZES[round_no])}


ALL_BETA = {str(FIRST_PMID + i) for i in range(sum(SIZES))}


def prepare(db_url: str) -> None:
    ctx = build_context(load_settings(database_url=db_url, ncbi_email="serve@example.org"))
    with Session(ctx.engine) as s:
        for name, query in (("alpha", DEFAULT_QUERY), ("beta", TOPIC_QUERY)):
            search = add_search(s, name, query, now=datetime.now(UTC))
            search.schedule = f"every {EVERY}s"
            s.add(search)
        s.commit()
    ctx.close()


class World:
    """The database as the test reads it."""

    def __init__(self, db_url: str) -> None:
        self.engine = make_engine(db_url)

    def stored(self, pmids: set[str]) -> bool:
        with Session(self.engine) as s:
            n = s.exec(
                select(func.count()).select_from(Article).where(Article.pmid.in_(pmids))  # type: ignore[attr-defined]
            ).one()
        return n == len(pmids)

    def polled_ok_since(self, name: str, since: datetime) -> bool:
        with Session(self.engine) as s:
            search = s.exec(select(SavedSearch).where(SavedSearch.name == name)).one()
            runs = s.exec(select(PollRun).where(PollRun.search_id == search.id)).all()
        return any(r.status == "ok" and r.started_at >= since for r in runs)

    def sent_to(self, address: str) -> bool:
        with Session(self.engine) as s:
            rows = s.exec(select(Digest).join(Subscriber).where(Subscriber.email == address)).all()
        return any(d.status == "sent" for d in rows)

    def add_subscriber(self, address: str) -> None:
        with Session(self.engine) as s:
            # An empty digest goes out too: each round's subscriber gets exactly one.
            add_subscriber(s, address, now=datetime.now(UTC) - timedelta(days=2), send_empty=True)
            s.commit()


def start_instance(env: dict[str, str], tmp: Path, name: str, *, trap: bool = False) -> Popen:
    """A `litwatch serve --no-web`; with ``trap``, one that stops inside the commit of its
    third batch of articles once the arm file exists (``tests.helpers.kill_point``)."""
    if not trap:
        return start(env, tmp, name)
    cmd = [sys.executable, "-m", "tests.helpers.kill_point", str(tmp / "marker"), KILL_AT, "--"]
    with (tmp / f"{name}.log").open("wb") as log:
        return Popen(
            [*cmd, "serve", "--no-web"],
            env={**env, "PYTHONPATH": str(ROOT), "KILL_POINT_ARMED_BY": str(tmp / "armed")},
            cwd=tmp,
            stdout=log,
            stderr=STDOUT,
        )


def busy_ports(db_url: str) -> set[int]:
    """Client ports of the database sessions that hold an advisory lock or are in the middle
    of something (a transaction open, a statement running)."""
    with psycopg.connect(db_url.replace("postgresql+psycopg://", "postgresql://")) as conn:
        rows = conn.execute(
            "SELECT a.client_port FROM pg_stat_activity a WHERE a.client_port IS NOT NULL"
            " AND a.pid <> pg_backend_pid() AND (a.state <> 'idle' OR EXISTS (SELECT 1 FROM"
            " pg_locks l WHERE l.pid = a.pid AND l.locktype = 'advisory' AND l.granted))"
        ).fetchall()
    return {r[0] for r in rows}


def pause(procs: list[Popen], db_url: str) -> None:
    """SIGSTOP ``procs`` at a moment none of them holds a lock or has a transaction open
    (so the instance left running is never held up by a stopped one)."""
    for _ in range(300):
        for p in procs:
            os.kill(p.pid, signal.SIGSTOP)
        theirs = {c.laddr.port for p in procs for c in psutil.Process(p.pid).net_connections("tcp")}
        if not busy_ports(db_url) & theirs:
            return
        for p in procs:
            os.kill(p.pid, signal.SIGCONT)
        time.sleep(0.1)
    pytest.fail("the other instances were never idle at once")


def kill_mid_poll(procs: list[Popen], env: dict[str, str], tmp: Path, db_url: str) -> int:
    """Let instance 0 alone take the next poll of ``beta`` (the others paused), SIGKILL it
    inside the commit of that poll's third batch, start it again, resume the others. The
    killed PID."""
    victim, others = procs[0], procs[1:]
    pause(others, db_url)
    try:
        (tmp / "armed").touch()
        assert wait_for_marker(tmp / "marker", victim, 120) == f"{KILL_AT} {victim.pid}"
        victim.kill()
        victim.wait(timeout=30)
        procs[0] = start_instance(env, tmp, "i0-again")
    finally:
        for p in others:
            os.kill(p.pid, signal.SIGCONT)
    return victim.pid


def run_rounds(
    fake: TimedFake, procs: list[Popen], env: dict[str, str], tmp: Path, db_url: str
) -> int:
    """Every round: records arrive, a subscriber joins; wait until both are dealt with. The
    PID of the instance killed midway."""
    world, killed = World(db_url), 0
    for r in range(ROUNDS):
        began = datetime.now(UTC)
        fake.corpus.add_records(new_records(r))
        world.add_subscriber(f"round{r}@example.org")
        if r == KILL_ROUND:
            killed = kill_mid_poll(procs, env, tmp, db_url)

        def done(r: int = r, began: datetime = began) -> bool:
            return (
                world.stored(round_pmids(r))
                and world.polled_ok_since("beta", began)
                and world.sent_to(f"round{r}@example.org")
            )

        assert wait_for(done, 180), f"round {r} did not finish:\n" + logs(tmp)
    time.sleep(EVERY)  # a further round of polls, were an instance to poll twice
    world.engine.dispose()
    return killed


def logs(tmp: Path) -> str:
    return "\n".join(f"--- {p.name}\n{p.read_text()[-3000:]}" for p in sorted(tmp.glob("i*.log")))


def check_polls(world: World, fake: TimedFake, seconds: float) -> dict[str, list[PollRun]]:
    """Per search: runs that never overlap, each fetching a record at most once."""
    with Session(world.engine) as s:
        searches = {x.id: x.name for x in s.exec(select(SavedSearch))}
        runs: dict[str, list[PollRun]] = {name: [] for name in searches.values()}
        for run in s.exec(select(PollRun).order_by(PollRun.started_at)):  # type: ignore[arg-type]
            runs[searches[run.search_id]].append(run)
    beta_pmids = ALL_BETA
    for name, its in runs.items():
        bad = [(r.id, r.status, r.error[:800]) for r in its if r.status not in ("ok", "abandoned")]
        assert bad == [], (name, bad)
        for a, b in zip(its, its[1:], strict=False):
            assert a.finished_at is not None and a.finished_at <= b.started_at, (name, a, b)
        # Three instances poll a search no more often than one would (and at least each round).
        assert ROUNDS <= len(its) <= seconds / EVERY + 3, (name, len(its), seconds)
        for run in its:
            end = run.finished_at or datetime.now(UTC)
            fetched = [
                pmid
                for at, pmids in fake.fetches
                if run.started_at <= at <= end
                for pmid in pmids
                if (pmid in beta_pmids) == (name == "beta")
            ]
            twice = [p for p, n in Counter(fetched).items() if n > 1]
            assert twice == [], (name, run.id, twice[:5])
    # Every efetch answer fell within some run of the search it served.
    for at, pmids in fake.fetches:
        name = "beta" if pmids and pmids[0] in beta_pmids else "alpha"
        if pmids:
            assert any(r.started_at <= at <= (r.finished_at or at) for r in runs[name]), at
    return runs


def test_three_instances_through_rounds_with_one_killed(
    migrated_pg_url: str, tmp_path: Path
) -> None:
    prepare(migrated_pg_url)
    handler = Recorder()
    fake = TimedFake(load_demo_corpus(), limit_with_key=LIMIT)
    world = World(migrated_pg_url)
    with running_server(fake) as base_url, smtp_server(handler) as smtp:
        env = serve_env(migrated_pg_url, base_url, smtp.port, tmp_path)
        env.update(LITWATCH_DIGEST_CHECK_SECONDS="5", LITWATCH_EUTILS_BATCH_SIZE=str(BATCH))
        began = time.monotonic()
        procs = [start_instance(env, tmp_path, f"i{n}", trap=n == 0) for n in range(3)]
        try:
            killed = run_rounds(fake, procs, env, tmp_path, migrated_pg_url)
        finally:
            codes = [stop(p) for p in procs]
        seconds = time.monotonic() - began
    assert codes == [0, 0, 0], logs(tmp_path)
    runs = check_polls(world, fake, seconds)

    # Each digest sent once, under its own Message-ID, to its own subscriber.
    with Session(world.engine) as s:
        rows = s.exec(select(Digest, Subscriber.email).join(Subscriber)).all()
        articles = s.exec(select(func.count()).select_from(Article)).one()
        distinct = s.exec(select(func.count(func.distinct(Article.pmid)))).one()
    addresses = [f"round{r}@example.org" for r in range(ROUNDS)]
    assert sorted(a for _, a in rows) == addresses  # one digest each
    assert {d.status for d, _ in rows} == {"sent"}
    messages = received(handler)
    got = Counter(m["Message-ID"] for m in messages)
    assert set(got) == {d.message_id for d, _ in rows}
    assert list(got.values()) == [1] * len(rows), got
    assert sorted(m["To"] for m in messages) == addresses

    # Every record stored once; the shared rate kept at the server.
    assert articles == distinct
    assert world.stored(ALL_BETA)
    assert {r.status for r in fake.requests} <= {200}, Counter(r.status for r in fake.requests)
    busiest = most_in_window(fake.requests, who="test-key")
    assert busiest <= LIMIT
    abandoned = [r for its in runs.values() for r in its if r.status == "abandoned"]
    # The poll killed midway, and only it, abandoned; the next one took over at once.
    assert len(abandoned) == 1 and "database session ended" in abandoned[0].error
    assert f"pid {killed}" in abandoned[0].error and abandoned[0].search_name == "beta"
    beta_served = [p for p in fake.served if p in ALL_BETA]
    print(
        f"{seconds:.0f}s, {len(fake.requests)} requests, busiest second {busiest}; "
        f"instance 0 killed inside the commit of a poll's batch {KILL_AT}; "
        f"polls {', '.join(f'{n} {len(its)}' for n, its in runs.items())}; "
        f"beta records served {len(beta_served)} times for {len(set(beta_served))}"
    )
    world.engine.dispose()
