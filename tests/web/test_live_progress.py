"""A live search run in the background: its progress, its page, and what goes wrong.

Against the fake E-utilities server on loopback: the search asks PubMed once, fetches the
records it has not stored in batches (each batch a step of the progress), and its page shows
the results without asking PubMed again.
"""

from __future__ import annotations

import time
from collections.abc import Iterator
from typing import Any

import httpx
import pytest

from litwatch.context import Context
from litwatch.jobs.live_search import LIVE_BATCH, search_live
from litwatch.web import create_app
from litwatch.web.live_jobs import KEEP_SECONDS, MAX_RUNNING, LiveJob, LiveJobs
from litwatch.web.page_data import SearchParams
from tests.helpers.e2e import Clock, CountingFake, fake_eutils, make_context
from tests.helpers.synthetic_records import TOPIC_QUERY
from tests.jobs.test_poll import corpus_of
from tests.web.test_app import result_pmids, serving

RECORDS = 120  # three batches of LIVE_BATCH or fewer


@pytest.fixture
def world(migrated_sqlite_url: str) -> Iterator[tuple[CountingFake, Context]]:
    with fake_eutils(corpus_of(RECORDS)) as (fake, base_url):
        ctx = make_context(migrated_sqlite_url, base_url, Clock(), web_public_read=True)
        try:
            yield fake, ctx
        finally:
            ctx.close()


def requests_to(fake: CountingFake, name: str) -> int:
    return sum(1 for r in fake.requests if r.path.endswith(name))


def follow(client: httpx.Client, url: str, timeout: float = 60) -> list[dict[str, Any]]:
    """Every state a live search reports until it has finished."""
    states = []
    deadline = time.monotonic() + timeout
    while time.monotonic() < deadline:
        state = client.get(url).json()
        states.append(state)
        if state["finished"]:
            return states
        time.sleep(0.02)
    pytest.fail(f"the live search did not finish in {timeout}s: {states[-1]}")


def test_progress_is_told_stage_by_stage(world: tuple[CountingFake, Context]) -> None:
    fake, ctx = world
    heard: list[tuple[str, int, int]] = []
    pmids, total = search_live(
        ctx, TOPIC_QUERY, limit=RECORDS, progress=lambda *step: heard.append(step)
    )
    assert len(pmids) == total == RECORDS
    assert LIVE_BATCH == 50
    assert heard == [
        ("searching", 0, 0),
        ("fetching", 0, RECORDS),
        ("fetching", 50, RECORDS),
        ("fetching", 100, RECORDS),
        ("fetching", 120, RECORDS),
    ]
    # Asked again, nothing is fetched: every record is stored.
    heard.clear()
    search_live(ctx, TOPIC_QUERY, limit=RECORDS, progress=lambda *step: heard.append(step))
    assert heard == [("searching", 0, 0), ("fetching", 0, 0)]
    assert requests_to(fake, "efetch.fcgi") == 3


def test_a_live_search_runs_in_the_background_and_its_page_does_not_ask_again(
    world: tuple[CountingFake, Context],
) -> None:
    fake, ctx = world
    with serving(create_app(ctx)) as url, httpx.Client(base_url=url, timeout=30) as client:
        started = client.post("/api/live-searches", params={"q": TOPIC_QUERY, "limit": RECORDS})
        assert started.status_code == 202, started.text
        body = started.json()
        assert started.headers["location"] == body["status_url"]
        states = follow(client, body["status_url"])
        last = states[-1]
        assert last["stage"] == "done" and last["status"] == 200 and last["error"] == ""
        assert last["results"] == RECORDS and last["total"] == RECORDS
        assert last["fetched"] == last["to_fetch"] == RECORDS
        fetched = [s["fetched"] for s in states if s["stage"] == "fetching"]
        assert fetched == sorted(fetched)  # the count only grows

        searches_before = requests_to(fake, "esearch.fcgi")
        page = client.get(body["page"])
        assert page.status_code == 200
        assert '<script src="/assets/live-search.js" defer>' in page.text
        script = client.get("/assets/live-search.js")
        assert script.headers["content-type"].startswith("text/javascript")
        assert "/api/live-searches" in script.text
        assert len(result_pmids(page.text)) == RECORDS
        assert f"of {RECORDS} in PubMed" in page.text
        assert requests_to(fake, "esearch.fcgi") == searches_before  # shown, not asked again
        assert requests_to(fake, "efetch.fcgi") == 3

        # The same page with a job it does not know (say, after a restart) searches afresh.
        again = client.get("/", params={"q": TOPIC_QUERY, "limit": "5", "job": "gone"})
        assert again.status_code == 200
        assert requests_to(fake, "esearch.fcgi") == searches_before + 1


@pytest.mark.parametrize(
    ("params", "words"),
    [
        ({}, "give a query"),
        ({"q": "  "}, "give a query"),
        ({"q": "rituximab", "since": "last week"}, "YYYY-MM-DD"),
        ({"q": "rituximab", "limit": "0"}, "between 1 and"),
        ({"q": "rituximab", "limit": "many"}, "whole number"),
    ],
)
def test_a_bad_live_search_is_refused_before_it_starts(
    world: tuple[CountingFake, Context], params: dict[str, str], words: str
) -> None:
    fake, ctx = world
    with serving(create_app(ctx)) as url, httpx.Client(base_url=url) as client:
        answer = client.post("/api/live-searches", params=params)
        assert answer.status_code == 422 and words in answer.json()["error"]
        assert client.get("/api/live-searches/nosuchjob").status_code == 404
    assert fake.requests == []


def test_pubmed_unreachable_finishes_the_job_with_the_reason(migrated_sqlite_url: str) -> None:
    ctx = make_context(
        migrated_sqlite_url,
        "http://127.0.0.1:9/",
        Clock(),
        eutils_max_tries=1,
        web_public_read=True,
    )
    try:
        with serving(create_app(ctx)) as url, httpx.Client(base_url=url, timeout=30) as client:
            started = client.post("/api/live-searches", params={"q": "rituximab"}).json()
            last = follow(client, started["status_url"])[-1]
            assert last["stage"] == "failed" and last["status"] == 502
            assert "could not be reached" in last["error"]
            page = client.get(started["page"])
            assert page.status_code == 502 and "PubMed could not be reached" in page.text
    finally:
        ctx.close()


def test_too_many_running_searches_are_refused_and_old_ones_forgotten(
    world: tuple[CountingFake, Context],
) -> None:
    _, ctx = world
    now = [1000.0]
    jobs = LiveJobs(ctx, clock=lambda: now[0], run_inline=True)
    done = jobs.start(SearchParams(query=TOPIC_QUERY, limit=5))
    assert done is not None and done.stage == "done"
    # Searches still running (as a slow PubMed leaves them) fill the places.
    for i in range(MAX_RUNNING):
        jobs._jobs[f"running-{i}"] = LiveJob(f"running-{i}", SearchParams(query="x"), now[0])
    assert jobs.start(SearchParams(query=TOPIC_QUERY)) is None
    assert jobs.get(done.id) is done
    now[0] += KEEP_SECONDS + 1
    assert jobs.get(done.id) is None  # finished long ago: forgotten
    assert jobs.get("running-0") is not None  # a running one is never dropped
