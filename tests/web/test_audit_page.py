"""The recall audit page and its JSON twin over HTTP, against the fake E-utilities server."""

from __future__ import annotations

import re
from collections.abc import Iterator
from datetime import date

import httpx
import pytest
from sqlmodel import Session

from litwatch.context import Context
from litwatch.default_search import DEFAULT_QUERY
from litwatch.store.searches import add_search
from tests.helpers.e2e import Clock, fake_eutils
from tests.helpers.recall_records import BRAND_ONLY, MISSED, TARGET_ONLY, audit_corpus
from tests.web.test_app import app_client, make_context


def add_searches(ctx: Context) -> None:
    with Session(ctx.engine) as s:
        add_search(s, "rtx", DEFAULT_QUERY, now=ctx.now(), backfill_start=date(2026, 1, 1))
        add_search(s, "plain", "scleroderma[tiab]", now=ctx.now())
        s.commit()


@pytest.fixture(scope="module")
def eutils_url() -> Iterator[str]:
    # One server for the module's tests, each with its own store (and rate budget): the
    # server's own limit would count them all as one client.
    with fake_eutils(audit_corpus(), rate_limit=False) as (_, base_url):
        yield base_url


@pytest.fixture
def client(migrated_sqlite_url: str, eutils_url: str) -> Iterator[httpx.Client]:
    with make_context(migrated_sqlite_url, eutils_url=eutils_url, clock=Clock()) as ctx:
        add_searches(ctx)
        with app_client(ctx) as c:
            yield c


def missed_rows(html: str) -> list[str]:
    return re.findall(r'<tr class="missed" data-pmid="(\d+)">', html)


def test_the_search_page_links_to_its_audit(client: httpx.Client) -> None:
    page = client.get("/searches/rtx")
    assert 'href="/searches/rtx/audit" id="audit-link"' in page.text


def test_the_page_shows_the_dates_and_the_broader_query_before_running(
    client: httpx.Client,
) -> None:
    page = client.get("/searches/rtx/audit")
    assert page.status_code == 200
    assert 'id="since" name="since" value="2026-01-01"' in page.text
    assert 'id="until" name="until" value="2026-11-25"' in page.text  # never polled: today
    broader = re.search(r'<code class="query" id="broader-query">([^<]*)</code>', page.text)
    assert broader and broader.group(1).startswith("(&#34;Scleroderma, Systemic&#34;[mh]")
    assert "rituximab" not in broader.group(1).lower()
    assert 'id="audit-report"' not in page.text


def test_running_the_audit_lists_the_missed_core_articles(client: httpx.Client) -> None:
    page = client.get("/searches/rtx/audit", params={"run": "1", "since": "2026-10-01"})
    assert page.status_code == 200, page.text[:500]
    assert set(missed_rows(page.text)) == MISSED
    assert "Created 2026-10-01 to 2026-11-25" in page.text
    assert '<code class="suggestion">&#34;Rixathon&#34;[tiab]</code>' in page.text
    assert "&#34;CD20-targeted&#34;[tiab]" in page.text and "Recall estimate" in page.text
    found = re.search(r'id="core-found">(\d+)<', page.text)
    caught = re.search(r'id="core-caught">(\d+)<', page.text)
    assert found and caught and int(found.group(1)) == int(caught.group(1)) + 2


def test_the_api_gives_the_same_report(client: httpx.Client) -> None:
    answer = client.get("/api/searches/rtx/audit", params={"since": "2026-10-01"})
    assert answer.status_code == 200
    data = answer.json()
    assert {m["pmid"] for m in data["missed"]} == MISSED and data["since"] == "2026-10-01"
    by_pmid = {m["pmid"]: m for m in data["missed"]}
    assert by_pmid[BRAND_ONLY]["suggested_terms"] == ['"Rixathon"[tiab]']
    assert by_pmid[TARGET_ONLY]["design"] == "case-series"
    narrow = client.get("/api/searches/rtx/audit", params={"until": "2026-10-05"}).json()
    assert narrow["missed"] == [] and narrow["until"] == "2026-10-05"


@pytest.mark.parametrize(
    ("path", "params", "status", "message"),
    [
        ("/searches/nope/audit", {}, 404, "There is no saved search &#39;nope&#39;"),
        ("/searches/rtx/audit", {"run": "1", "since": "10/01/2026"}, 422, "since: must be a date"),
        (
            "/searches/rtx/audit",
            {"run": "1", "since": "2026-11-01", "until": "2026-10-01"},
            422,
            "starts after it ends",
        ),
        ("/searches/plain/audit", {}, 200, "no separable disease block"),
        ("/searches/plain/audit", {"run": "1"}, 422, "no separable disease block"),
        ("/api/searches/nope/audit", {}, 404, "there is no saved search"),
        ("/api/searches/rtx/audit", {"until": "soon"}, 422, "until: must be a date"),
        ("/api/searches/plain/audit", {}, 422, "no separable disease block"),
    ],
)
def test_bad_requests_get_a_clear_answer(
    client: httpx.Client, path: str, params: dict[str, str], status: int, message: str
) -> None:
    answer = client.get(path, params=params)
    assert answer.status_code == status and message in answer.text


def test_pubmed_unreachable_is_a_502(migrated_sqlite_url: str) -> None:
    with make_context(migrated_sqlite_url, clock=Clock()) as ctx:  # nothing listens there
        add_searches(ctx)
        with app_client(ctx) as c:
            page = c.get("/searches/rtx/audit", params={"run": "1"})
            assert page.status_code == 502 and "PubMed could not be reached" in page.text
            assert c.get("/api/searches/rtx/audit").status_code == 502
