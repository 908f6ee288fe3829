"""Three `litwatch serve` on one PostgreSQL database through several scheduled rounds of polls
and digests (searches polled `every 15s`, digests looked for every 5 s), one instance
SIGKILLed midway (while it holds a job's lock, when it can be caught holding one) and started
again. Counted at the fake E-utilities server and at the SMTP server: each record fetched once
per poll of its search (and the polls of a search never overlap), each digest sent once, and
no one-second window at the server holding more than the key's limit.

Each round adds new records to the fake server and a new subscriber, and ends when a poll has
stored the records and the subscriber's digest has gone out.
"""

from __future__ import annotations

import time
from collections import Counter
from datetime import UTC, date, datetime, timedelta
from pathlib import Path
from typing import Any

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
from litwatch.store.tables import Article, Digest, JobLock, PollRun, SavedSearch, Subscriber
from tests.digests.test_delivery import received
from tests.digests.test_mailer import Recorder, smtp_server
from tests.helpers.e2e import CountingFake
from tests.helpers.synthetic_records import TOPIC_QUERY, make_records
from tests.jobs.test_serve import serve_env, start, stop, wait_for

pytestmark = pytest.mark.slow

ROUNDS, PER_ROUND, BATCH, LIMIT = 4, 60, 20, 10
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


def new_records(round_no: int) -> bytes:
    """This round's arrivals: created today, so the next poll of ``beta`` finds them."""
    start = FIRST_PMID + round_no * PER_ROUND
    return make_records(
        PER_ROUND, start_pmid=start, crdt_start=date.today(), per_day=PER_ROUND, seed=round_no
    )


def round_pmids(round_no: int) -> set[str]:
    start = FIRST_PMID + round_no * PER_ROUND
    return {str(start + i) for i in range(PER_ROUND)}


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

    def holds_a_lock(self, pid: int) -> str:
        with Session(self.engine) as s:
            held = s.exec(select(JobLock).where(JobLock.pid == pid)).all()
        return held[0].name if held else ""

    def add_subscriber(self, address: str) -> None:
        with Session(self.engine) as s:
            # An empty digest goes out too: each round's subscriber gets exactly one.
            add_subscriber(s, address, now=datetime.now(UTC) - timedelta(days=2), send_empty=True)
            s.commit()


def kill_midway(world: World, procs: list, env: dict[str, str], tmp: Path) -> str:  # type: ignore[type-arg]
    """SIGKILL instance 0 in the middle of a poll if it is caught in one within a minute, else
    of whatever job it is caught holding a lock for; start it again. What it held."""
    victim = procs[0]
    held = ""
    for wanted, seconds in (("poll:", 60.0), ("", 30.0)):
        deadline = time.monotonic() + seconds
        while time.monotonic() < deadline:
            held = world.holds_a_lock(victim.pid)
            if held and held.startswith(wanted):
                break
            time.sleep(0.02)
        if held.startswith(wanted) and held:
            break
    victim.kill()
    victim.wait(timeout=30)
    procs[0] = start(env, tmp, "i0-again")
    return held


def run_rounds(world: World, fake: TimedFake, procs: list, env: dict[str, str], tmp: Path) -> str:  # type: ignore[type-arg]
    held = "not killed"
    for r in range(ROUNDS):
        began = datetime.now(UTC)
        fake.corpus.add_records(new_records(r))
        world.add_subscriber(f"round{r}@example.org")
        if r == ROUNDS // 2:
            held = kill_midway(world, procs, env, tmp)

        def done(r: int = r, began: datetime = began) -> bool:
            return (
                world.stored(round_pmids(r))
                and world.polled_ok_since("beta", began)
                and world.sent_to(f"round{r}@example.org")
            )

        assert wait_for(done, 180), f"round {r} did not finish:\n" + logs(tmp)
    time.sleep(EVERY)  # a further round of polls, were an instance to poll twice
    return held


def logs(tmp: Path) -> str:
    return "\n".join(f"--- {p.name}\n{p.read_text()[-3000:]}" for p in sorted(tmp.glob("i*.log")))


def check_polls(world: World, fake: TimedFake, seconds: float) -> dict[str, list[PollRun]]:
    """Per search: runs that never overlap, each fetching a record at most once."""
    with Session(world.engine) as s:
        searches = {x.id: x.name for x in s.exec(select(SavedSearch))}
        runs: dict[str, list[PollRun]] = {name: [] for name in searches.values()}
        for run in s.exec(select(PollRun).order_by(PollRun.started_at)):  # type: ignore[arg-type]
            runs[searches[run.search_id]].append(run)
    beta_pmids = {str(FIRST_PMID + i) for i in range(ROUNDS * PER_ROUND)}
    for name, its in runs.items():
        assert all(r.status in ("ok", "abandoned") for r in its), [(r.status, r.error) for r in its]
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
        procs = [start(env, tmp_path, f"i{n}") for n in range(3)]
        try:
            held = run_rounds(world, fake, procs, env, tmp_path)
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
    # Twice only if the killed instance had that one message in flight (the README's promise).
    twice = [mid for mid, n in got.items() if n > 1]
    assert len(twice) <= (1 if held == "digests" else 0) and max(got.values()) <= 2, got
    assert sorted({m["To"] for m in messages}) == addresses

    # Every record stored once; the shared rate kept at the server.
    assert articles == distinct
    assert world.stored({str(FIRST_PMID + i) for i in range(ROUNDS * PER_ROUND)})
    assert {r.status for r in fake.requests} <= {200}, Counter(r.status for r in fake.requests)
    busiest = most_in_window(fake.requests, who="test-key")
    assert busiest <= LIMIT
    abandoned = [r for its in runs.values() for r in its if r.status == "abandoned"]
    if held.startswith("poll:"):
        assert len(abandoned) == 1 and "database session ended" in abandoned[0].error
    print(
        f"{seconds:.0f}s, {len(fake.requests)} requests, busiest second {busiest}; "
        f"instance 0 killed holding {held or 'no lock'}; "
        f"polls {', '.join(f'{n} {len(its)}' for n, its in runs.items())}"
    )
    world.engine.dispose()
