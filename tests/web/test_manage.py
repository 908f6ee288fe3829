"""The management pages over HTTP: saved searches (add, edit, disable, run now against the
fake E-utilities server), subscribers (add, preview the next digest, remove), runs."""

from __future__ import annotations

import re
from collections.abc import Iterator

import httpx
import pytest
from sqlmodel import Session, col, select

from litwatch.context import Context
from litwatch.default_search import DEFAULT_QUERY
from litwatch.digests.subscribers import get_subscriber
from litwatch.fake_eutils.democorpus import load_demo_corpus
from litwatch.store.searches import find_search
from litwatch.store.tables import PollRun, SearchQueryVersion
from tests.helpers.e2e import Clock, fake_eutils
from tests.web.test_app import app_client, log_in, make_context

NAME = "rtx-ssc"


@pytest.fixture(scope="module")
def demo_eutils() -> Iterator[str]:
    """The fake E-utilities server on the demo corpus (read only: one for the module)."""
    with fake_eutils(load_demo_corpus()) as (_, base_url):
        yield base_url


@pytest.fixture
def world(migrated_sqlite_url: str, demo_eutils: str) -> Iterator[tuple[Context, httpx.Client]]:
    with make_context(migrated_sqlite_url, eutils_url=demo_eutils, clock=Clock()) as ctx:
        with app_client(ctx) as client:
            yield ctx, client


def test_add_edit_disable_and_run_a_saved_search(world: tuple[Context, httpx.Client]) -> None:
    ctx, client = world
    csrf = log_in(client)
    added = client.post(
        "/searches",
        data={"name": NAME, "query": "rituximab[tiab]", "schedule": "", "csrf_token": csrf},
    )
    assert added.status_code == 303 and added.headers["location"] == f"/searches/{NAME}"
    page = client.get(f"/searches/{NAME}")
    assert "Added the saved search" in page.text and "Not polled yet." in page.text
    again = client.post("/searches", data={"name": NAME, "query": "x[tiab]", "csrf_token": csrf})
    assert again.status_code == 409 and "already exists" in again.text

    edited = client.post(
        f"/searches/{NAME}",
        data={"query": DEFAULT_QUERY, "schedule": "every 2h", "csrf_token": csrf},
    )
    assert edited.status_code == 303
    with Session(ctx.engine) as session:
        search = find_search(session, NAME)
        assert search is not None
        assert (search.query, search.schedule) == (DEFAULT_QUERY.strip(), "every 2h")
        history = session.exec(
            select(SearchQueryVersion.query).where(SearchQueryVersion.search_id == search.id)
        ).all()
    assert list(history) == ["rituximab[tiab]", DEFAULT_QUERY.strip()]

    ran = client.post(f"/searches/{NAME}/run", data={"csrf_token": csrf})
    assert ran.status_code == 303 and ran.headers["location"] == f"/searches/{NAME}#runs"
    page = client.get(f"/searches/{NAME}").text
    flash = re.search(r'id="flash">([^<]*)<', page)
    assert flash is not None and "Polled now: rtx-ssc: ok" in flash.group(1)
    with Session(ctx.engine) as session:
        [run] = session.exec(select(PollRun).order_by(col(PollRun.id))).all()
    assert run.status == "ok" and run.new > 0 and run.new == run.found
    assert f"found {run.found}, new {run.new}" in page  # the runs table
    runs = client.get("/runs").text
    assert NAME in runs and f"new {run.new}" in runs

    off = client.post(f"/searches/{NAME}/enabled", data={"enabled": "false", "csrf_token": csrf})
    assert off.status_code == 303
    listing = client.get("/searches").text
    assert f'href="/searches/{NAME}"' in listing and "disabled" in listing
    with Session(ctx.engine) as session:
        search = find_search(session, NAME)
        assert search is not None and not search.enabled


def test_add_preview_and_remove_a_subscriber(world: tuple[Context, httpx.Client]) -> None:
    ctx, client = world
    csrf = log_in(client)
    client.post("/searches", data={"name": NAME, "query": DEFAULT_QUERY, "csrf_token": csrf})
    client.post(f"/searches/{NAME}/run", data={"csrf_token": csrf})
    added = client.post(
        "/subscribers",
        data={
            "email": "Ana@Example.org",
            "name": "Ana",
            "frequency": "weekly",
            "min_relevance": "related",
            "searches": NAME,
            "findings": ["mrss-improvement", "fvc-improvement"],
            "csrf_token": csrf,
        },
    )
    assert added.status_code == 303
    listing = client.get("/subscribers").text
    assert "Subscribed ana@example.org" in listing
    assert "mrss-improvement, fvc-improvement" in listing
    with Session(ctx.engine) as session:
        sub = get_subscriber(session, "ana@example.org")
        assert sub is not None
        assert (sub.frequency, sub.min_relevance, sub.searches) == ("weekly", "related", [NAME])
        sub_id = sub.id

    preview = client.get(f"/subscribers/{sub_id}/preview")
    assert preview.status_code == 200
    subject = re.search(r'id="preview-subject">([^<]+)<', preview.text)
    assert subject is not None and "litwatch" in subject.group(1).lower()
    assert f'src="/subscribers/{sub_id}/preview.html"' in preview.text
    html = client.get(f"/subscribers/{sub_id}/preview.html")
    assert html.status_code == 200
    assert html.headers["content-security-policy"].startswith("sandbox")
    assert "<html" in html.text.lower() and "unsubscribe" in html.text.lower()
    with Session(ctx.engine) as session:  # looking sent nothing
        sub = get_subscriber(session, "ana@example.org")
        assert sub is not None and sub.last_digest_at is None

    removed = client.post(f"/subscribers/{sub_id}/remove", data={"csrf_token": csrf})
    assert removed.status_code == 303
    assert "unsubscribed" in client.get("/subscribers").text
    with Session(ctx.engine) as session:
        sub = get_subscriber(session, "ana@example.org")
        assert sub is not None and not sub.active


def test_every_page_has_the_navigation_bar(world: tuple[Context, httpx.Client]) -> None:
    _, client = world
    for path in ("/", "/searches", "/subscribers", "/runs", "/login", "/evidence/mrss-improvement"):
        page = client.get(path).text
        nav = re.search(r'<nav class="main" aria-label="Main">(.*?)</nav>', page, re.S)
        assert nav is not None, path
        assert all(f'href="{h}"' in nav.group(1) for h in ("/searches", "/subscribers", "/runs"))
    current = client.get("/searches").text
    assert '<a href="/searches" aria-current="page">' in current


def test_pubmed_text_is_escaped_on_the_management_pages(
    world: tuple[Context, httpx.Client],
) -> None:
    _, client = world
    csrf = log_in(client)
    query = 'rituximab[tiab] AND "<script>alert(1)</script>"[tiab]'
    client.post("/searches", data={"name": "evil", "query": query, "csrf_token": csrf})
    for path in ("/searches", "/searches/evil"):
        page = client.get(path).text
        assert "<script>alert(1)</script>" not in page
        assert "&lt;script&gt;alert(1)&lt;/script&gt;" in page
