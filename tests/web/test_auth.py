"""Who may change things: login, session cookie, CSRF, bearer token, read-only browsing,
failed logins slowed down, and the digest's signed links working without a login."""

from __future__ import annotations

import logging
import re
from collections.abc import Iterator
from datetime import timedelta

import httpx
import pytest
from sqlmodel import Session

from litwatch.context import Context
from litwatch.digests.signed_links import make_token
from litwatch.digests.subscribers import add_subscriber, get_subscriber
from litwatch.store.login_failures import FREE_FAILURES
from litwatch.store.searches import add_search, find_search
from litwatch.web import create_app
from litwatch.web.auth import secret_matches
from tests.helpers.e2e import Clock
from tests.web.test_app import (
    BEARER,
    NOW,
    PASSWORD,
    RCT,
    SECRET,
    TOKEN,
    app_client,
    feedback_rows,
    log_in,
    make_context,
)

SEARCH = "skin-trials"
QUERY = "rituximab[tiab] AND sclerosis[tiab]"


def add_world(ctx: Context) -> int:
    """A saved search and a subscriber to change; the subscriber's id."""
    with Session(ctx.engine) as session:
        add_search(session, SEARCH, QUERY, now=NOW)
        sub = add_subscriber(session, "ana@example.org", now=NOW)
        session.commit()
        assert sub.id is not None
        return sub.id


@pytest.fixture
def world(seeded_url: str) -> Iterator[tuple[Context, int]]:
    with make_context(seeded_url) as ctx:
        yield ctx, add_world(ctx)


@pytest.fixture
def client(world: tuple[Context, int]) -> Iterator[httpx.Client]:
    with app_client(world[0]) as c:
        yield c


def changes(sub_id: int) -> list[tuple[str, dict[str, str]]]:
    """Every changing route with a valid body, and the links, which need no login."""
    return [
        (f"/api/articles/{RCT}/feedback", {"relevant": "true"}),
        ("/searches", {"name": "new-one", "query": "rituximab[tiab]"}),
        (f"/searches/{SEARCH}", {"query": "rituximab[tiab]", "schedule": "every 2h"}),
        (f"/searches/{SEARCH}/enabled", {"enabled": "false"}),
        (f"/searches/{SEARCH}/run", {}),
        (
            "/subscribers",
            {"email": "bo@example.org", "frequency": "daily", "min_relevance": "core"},
        ),
        (f"/subscribers/{sub_id}/remove", {}),
        ("/collections", {"name": "from-a-test"}),
        ("/logout", {}),
    ]


# The posts that need no login: the login itself and the digest's signed links; and starting
# a live search, which a reader may do (it is the GET search, run in the background).
OPEN_POSTS = {"/login", "/feedback/{token}", "/unsubscribe/{token}", "/api/live-searches"}


def nothing_changed(ctx: Context) -> None:
    with Session(ctx.engine) as session:
        search = find_search(session, SEARCH)
        assert search is not None
        assert (search.query, search.schedule, search.enabled) == (QUERY, None, True)
        assert find_search(session, "new-one") is None
        assert get_subscriber(session, "bo@example.org") is None
        ana = get_subscriber(session, "ana@example.org")
        assert ana is not None and ana.active
    assert feedback_rows(ctx) == []


def test_the_table_names_every_changing_route(world: tuple[Context, int]) -> None:
    app = create_app(world[0])
    paths = app.openapi()["paths"]
    posts = {path for path, ops in paths.items() if {"post", "put", "patch", "delete"} & set(ops)}
    named = {
        p.replace(f"/{RCT}/", "/{pmid}/")
        .replace(f"/{SEARCH}", "/{name}")
        .replace("/subscribers/1/", "/subscribers/{subscriber_id}/")
        for p, _ in changes(1)
    }
    assert posts - OPEN_POSTS == named


def test_every_change_is_refused_without_a_login(
    client: httpx.Client, world: tuple[Context, int]
) -> None:
    ctx, sub_id = world
    for path, data in changes(sub_id):
        as_form = client.post(path, data=data, headers={"Referer": f"{client.base_url}/searches"})
        if path.startswith("/api/"):
            assert as_form.status_code == 401, path
            assert "log in" in as_form.json()["error"]
            assert as_form.headers["www-authenticate"] == "Bearer"
        else:
            assert as_form.status_code == 303, path
            assert as_form.headers["location"] == "/login?next=%2Fsearches", path
    wrong = client.post(
        changes(sub_id)[0][0],
        json={"relevant": True},
        headers={"Authorization": "Bearer not-the-token-at-all"},
    )
    assert wrong.status_code == 401
    nothing_changed(ctx)


@pytest.mark.parametrize("token", ["", "wrong", None])
def test_every_change_is_refused_without_the_csrf_token(
    client: httpx.Client, world: tuple[Context, int], token: str | None
) -> None:
    ctx, sub_id = world
    log_in(client)
    for path, data in changes(sub_id):
        body = data if token is None else {**data, "csrf_token": token}
        answer = client.post(path, data=body)
        assert answer.status_code == 403, path
        assert "CSRF" in answer.text
    as_header = client.post(
        changes(sub_id)[0][0], json={"relevant": True}, headers={"X-CSRF-Token": "wrong"}
    )
    assert as_header.status_code == 403
    nothing_changed(ctx)


def test_another_sessions_token_is_refused(
    client: httpx.Client, world: tuple[Context, int]
) -> None:
    ctx, _ = world
    log_in(client)
    with app_client(ctx) as other:
        theirs = log_in(other)
    answer = client.post(
        f"/searches/{SEARCH}/enabled", data={"enabled": "false", "csrf_token": theirs}
    )
    assert answer.status_code == 403
    nothing_changed(ctx)


def test_with_the_login_and_the_token_a_change_goes_through(
    client: httpx.Client, world: tuple[Context, int]
) -> None:
    ctx, _ = world
    csrf = log_in(client)
    answer = client.post(
        f"/searches/{SEARCH}/enabled", data={"enabled": "false", "csrf_token": csrf}
    )
    assert answer.status_code == 303
    by_header = client.post(
        f"/api/articles/{RCT}/feedback", json={"relevant": True}, headers={"X-CSRF-Token": csrf}
    )
    assert by_header.status_code == 200
    with Session(ctx.engine) as session:
        search = find_search(session, SEARCH)
        assert search is not None and not search.enabled
    assert [r.pmid for r in feedback_rows(ctx)] == [RCT]


def test_a_bearer_token_needs_no_session_or_csrf(
    client: httpx.Client, world: tuple[Context, int]
) -> None:
    ctx, _ = world
    answer = client.post(f"/api/articles/{RCT}/feedback", json={"relevant": False}, headers=BEARER)
    assert answer.status_code == 200
    assert [(r.pmid, r.relevant) for r in feedback_rows(ctx)] == [(RCT, False)]


def test_logging_out_ends_the_session(client: httpx.Client, world: tuple[Context, int]) -> None:
    csrf = log_in(client)
    assert client.post("/logout", data={"csrf_token": csrf}).status_code == 303
    answer = client.post(
        f"/searches/{SEARCH}/enabled", data={"enabled": "false", "csrf_token": csrf}
    )
    assert answer.status_code == 303 and answer.headers["location"].startswith("/login")
    nothing_changed(world[0])


# --- the session cookie -------------------------------------------------------------------


def login_answer(client: httpx.Client, secret: str, next_path: str = "/") -> httpx.Response:
    form = client.get("/login")
    found = re.search(r'name="csrf_token" value="([^"]+)"', form.text)
    assert found is not None
    return client.post(
        "/login", data={"password": secret, "csrf_token": found.group(1), "next": next_path}
    )


def test_the_session_cookie_is_signed_httponly_and_lax(client: httpx.Client) -> None:
    answer = login_answer(client, PASSWORD)
    cookie = answer.headers["set-cookie"]
    assert cookie.startswith("litwatch_session=")
    assert "httponly" in cookie.lower() and "samesite=lax" in cookie.lower()
    assert "secure" not in cookie.lower()  # the site is plain http here
    value = client.cookies["litwatch_session"]
    client.cookies.set(
        "litwatch_session", value[:-4] + ("AAAA" if not value.endswith("AAAA") else "BBBB")
    )
    page = client.get("/searches")
    assert 'id="login-link"' in page.text  # a tampered cookie is no login


def test_the_cookie_is_secure_when_the_site_is_https(seeded_url: str) -> None:
    with make_context(seeded_url, base_url="https://litwatch.example.org/") as ctx:
        with app_client(ctx) as client:
            cookie = login_answer(client, PASSWORD).headers["set-cookie"]
    assert "secure" in cookie.lower()


def test_the_token_logs_in_too_and_next_stays_on_the_site(client: httpx.Client) -> None:
    answer = login_answer(client, TOKEN, next_path="//elsewhere.example.org/")
    assert answer.status_code == 303 and answer.headers["location"] == "/"
    page = client.get("/searches")
    assert "Log out" in page.text and 'id="add-search"' in page.text


def test_a_login_form_without_its_token_is_refused(client: httpx.Client) -> None:
    answer = client.post("/login", data={"password": PASSWORD})
    assert answer.status_code == 403
    assert "Log out" not in client.get("/searches").text


def test_the_stored_password_is_an_argon2_hash(world: tuple[Context, int]) -> None:
    settings = world[0].settings
    assert settings.web_password_hash is not None
    assert settings.web_password_hash.startswith("$argon2id$")
    assert PASSWORD not in settings.web_password_hash
    assert secret_matches(settings, PASSWORD) and not secret_matches(settings, PASSWORD + "!")


# --- failed logins ------------------------------------------------------------------------


def test_failed_logins_are_slowed_down_per_address_and_shared(seeded_url: str) -> None:
    clock = Clock(NOW)
    with make_context(seeded_url, clock=clock) as one, make_context(seeded_url, clock=clock) as two:
        with app_client(one) as a, app_client(two) as b:
            for _ in range(FREE_FAILURES):
                assert login_answer(a, "guess").status_code == 401
            counted = login_answer(b, "guess")  # the other instance counts the same address
            assert counted.status_code == 401 and "wait 2 seconds" in counted.text
            # While it waits, not even the right password is checked.
            for c in (a, b):
                held = login_answer(c, PASSWORD)
                assert held.status_code == 429 and held.headers["retry-after"] == "2"
                assert "Too many failed logins" in held.text
            clock.now += timedelta(seconds=3)
            again = login_answer(a, "guess")
            assert again.status_code == 401 and "wait 4 seconds" in again.text
            clock.now += timedelta(seconds=5)
            assert login_answer(b, PASSWORD).status_code == 303
            # A good login clears the count: the next mistake is free again.
            assert "wait" not in login_answer(a, "guess").text


def test_old_failures_are_forgotten(seeded_url: str) -> None:
    clock = Clock(NOW)
    with make_context(seeded_url, clock=clock) as ctx, app_client(ctx) as client:
        for _ in range(FREE_FAILURES + 1):
            login_answer(client, "guess")
        clock.now += timedelta(hours=2)
        assert "wait" not in login_answer(client, "guess").text


# --- reading ------------------------------------------------------------------------------


@pytest.fixture
def closed(seeded_url: str) -> Iterator[tuple[Context, httpx.Client]]:
    """An app whose browsing needs the login (the default)."""
    with make_context(seeded_url, web_public_read=False) as ctx:
        add_world(ctx)
        with app_client(ctx) as client:
            yield ctx, client


@pytest.mark.parametrize("path", ["/", "/searches", "/subscribers", "/runs", f"/article/{RCT}"])
def test_without_public_read_pages_need_the_login(
    closed: tuple[Context, httpx.Client], path: str
) -> None:
    _, client = closed
    answer = client.get(path)
    assert answer.status_code == 303
    assert answer.headers["location"].startswith("/login?next=")
    log_in(client)
    assert client.get(path).status_code == 200


def test_without_public_read_the_api_needs_the_login(closed: tuple[Context, httpx.Client]) -> None:
    _, client = closed
    assert client.get(f"/api/articles/{RCT}").status_code == 401
    assert client.get(f"/api/articles/{RCT}", headers=BEARER).status_code == 200
    assert client.get("/healthz").status_code == 200  # monitoring stays open
    assert client.get("/metrics").status_code == 200


def test_signed_digest_links_work_without_a_login(closed: tuple[Context, httpx.Client]) -> None:
    ctx, client = closed
    payload = {"pmid": RCT, "email": "ana@example.org", "relevant": True}
    token = make_token(SECRET, "feedback", payload, now=NOW)
    assert client.get(f"/feedback/{token}").status_code == 200
    done = client.post(f"/feedback/{token}")
    assert done.status_code == 200 and "Thank you" in done.text
    assert [(r.pmid, r.source) for r in feedback_rows(ctx)] == [(RCT, "email")]
    leave = make_token(SECRET, "unsubscribe", {"email": "ana@example.org"}, now=NOW)
    assert "Unsubscribe?" in client.get(f"/unsubscribe/{leave}").text
    assert client.post(f"/unsubscribe/{leave}").status_code == 200
    with Session(ctx.engine) as session:
        ana = get_subscriber(session, "ana@example.org")
        assert ana is not None and not ana.active


# --- no secret set ------------------------------------------------------------------------


def test_without_a_secret_the_login_page_says_what_to_set(
    seeded_url: str, caplog: pytest.LogCaptureFixture
) -> None:
    with caplog.at_level(logging.WARNING, logger="litwatch.web"):
        with make_context(seeded_url, web_password_hash=None, web_token=None) as ctx:
            with app_client(ctx) as client:
                page = client.get("/login")
                answer = login_answer(client, "anything")
                refused = client.post(f"/api/articles/{RCT}/feedback", json={"relevant": True})
    assert page.status_code == 200
    assert "LITWATCH_WEB_PASSWORD_HASH" in page.text and "litwatch hash-password" in page.text
    assert answer.status_code == 503
    assert refused.status_code == 401
    assert any("LITWATCH_WEB_TOKEN" in r.getMessage() for r in caplog.records)


# --- bad parameters -----------------------------------------------------------------------


@pytest.mark.parametrize(
    ("path", "data", "words"),
    [
        ("/searches", {"name": "Bad Name", "query": "x[tiab]"}, "not a slug"),
        ("/searches", {"name": "ok-name", "query": "rituximab AND"}, "has no term after it"),
        ("/searches", {"name": "ok-name", "query": "x[tiab]", "schedule": "often"}, "cron"),
        ("/searches", {"name": "ok-name", "query": "x[tiab]", "since": "soon"}, "YYYY-MM-DD"),
        (f"/searches/{SEARCH}", {"query": "(rituximab"}, "never closed"),
        (f"/searches/{SEARCH}/enabled", {"enabled": "maybe"}, "true or false"),
        (
            "/subscribers",
            {"email": "not-an-address", "frequency": "daily", "min_relevance": "core"},
            "not a valid email",
        ),
        (
            "/subscribers",
            {"email": "c@example.org", "frequency": "hourly", "min_relevance": "core"},
            "frequency",
        ),
        (
            "/subscribers",
            {
                "email": "c@example.org",
                "frequency": "daily",
                "min_relevance": "core",
                "findings": "no-such-finding",
            },
            "unknown finding",
        ),
    ],
)
def test_bad_form_fields_answer_422_with_a_message(
    client: httpx.Client, world: tuple[Context, int], path: str, data: dict[str, str], words: str
) -> None:
    csrf = log_in(client)
    answer = client.post(path, data={**data, "csrf_token": csrf})
    assert answer.status_code == 422, answer.text[:500]
    assert 'id="form-error"' in answer.text
    assert words in answer.text
    nothing_changed(world[0])


def test_bad_path_parameters_answer_422_or_404(client: httpx.Client) -> None:
    csrf = log_in(client)
    assert client.get("/subscribers/99999999999999999999999/preview").status_code == 422
    assert client.get("/subscribers/0/preview").status_code == 422
    assert client.get("/subscribers/not-a-number/preview").status_code == 422
    assert client.get("/subscribers/12345/preview").status_code == 404
    assert client.get("/searches/no-such-search").status_code == 404
    answer = client.post("/searches/no-such-search/run", data={"csrf_token": csrf})
    assert answer.status_code == 404


def test_pages_may_not_be_framed_by_other_sites(client: httpx.Client) -> None:
    for path in ("/searches", "/login", "/api/openapi.json"):
        answer = client.get(path)
        assert answer.headers["x-frame-options"] == "SAMEORIGIN"
        assert answer.headers["x-content-type-options"] == "nosniff"
