"""The web app against a real migrated SQLite file, with hand-written articles."""

from __future__ import annotations

import re
import socket
import threading
import time
from collections.abc import Callable, Iterator
from contextlib import contextmanager
from datetime import UTC, date, datetime, timedelta
from typing import Any

import httpx
import pytest
import uvicorn
from argon2 import PasswordHasher
from fastapi import FastAPI
from sqlmodel import Session, col, select

from litwatch.config import load_settings
from litwatch.context import Context, build_context
from litwatch.digests.signed_links import make_token
from litwatch.digests.subscribers import add_subscriber, get_subscriber
from litwatch.fake_eutils.answers import esearch_xml
from litwatch.judging.classify_stored import classify_pmids
from litwatch.records import AbstractSection, ArticleRecord, Author, MeshHeading
from litwatch.store.articles import upsert_articles
from litwatch.store.classifications import get_classification
from litwatch.store.fulltext import search_articles
from litwatch.store.tables import Feedback
from litwatch.web import create_app

NOW = datetime(2026, 3, 2, 9, 0, tzinfo=UTC)
SECRET = "s3cret"
EVIL_TITLE = (
    "<script>alert(1)</script> and <i>italic</i>: rituximab for skin fibrosis in "
    "systemic sclerosis, a cohort study"
)
RCT, EVIL, OFF = "90000001", "90000002", "90000003"
PASSWORD = "correct horse battery"
# Made once: argon2 is slow on purpose. Cheap parameters would test the same code path.
PASSWORD_HASH = PasswordHasher().hash(PASSWORD)
TOKEN = "t0ken-for-the-tests-only"
BEARER = {"Authorization": f"Bearer {TOKEN}"}


def articles() -> list[ArticleRecord]:
    """Three made-up articles: a trial that supports mRSS improvement, an unsafe title, an
    off-topic one."""
    return [
        ArticleRecord(
            pmid=RCT,
            doi="10.9999/litwatch.rct",
            title="Rituximab improves skin fibrosis in systemic sclerosis: a randomized, "
            "double-blind, placebo-controlled multicentre trial",
            abstract_sections=[
                AbstractSection(
                    "BACKGROUND",
                    "BACKGROUND",
                    "B-cell depletion may help patients with systemic sclerosis (SSc).",
                ),
                AbstractSection(
                    "METHODS",
                    "METHODS",
                    "In this randomized, double-blind trial at 8 centres, 56 patients with "
                    "diffuse cutaneous SSc received rituximab or placebo.",
                ),
                AbstractSection(
                    "RESULTS",
                    "RESULTS",
                    "At 24 weeks the modified Rodnan skin score (mRSS) decreased from 20.1 to "
                    "13.2 with rituximab (P<0.001). Forced vital capacity (FVC, % predicted) "
                    "increased by 2.5% with rituximab.",
                ),
                AbstractSection(
                    "CONCLUSIONS",
                    "CONCLUSIONS",
                    "Rituximab improves skin sclerosis in patients with systemic sclerosis.",
                ),
            ],
            authors=[Author("Tanaka", "Hiro", "H"), Author("Suzuki", "Aiko", "A")],
            journal_title="Journal of Made-up Rheumatology",
            journal_iso="J Madeup Rheumatol",
            pub_date_text="2025 Nov 3",
            pub_year=2025,
            pub_date=date(2025, 11, 3),
            create_date=date(2025, 11, 5),
            publication_types=["Journal Article", "Randomized Controlled Trial"],
            mesh=[
                MeshHeading("Scleroderma, Systemic", "D012595", True, [("drug therapy", True)]),
                MeshHeading("Rituximab", "D000069283"),
            ],
            registry_ids=["NCT09999999"],
        ),
        ArticleRecord(
            pmid=EVIL,
            title=EVIL_TITLE,
            abstract_sections=[
                AbstractSection(
                    "",
                    "",
                    "We followed 30 patients with systemic sclerosis treated with rituximab "
                    "for 12 months. The mRSS decreased from 18 to 12 after rituximab.",
                )
            ],
            journal_title="Made-up Skin Reports",
            pub_year=2024,
            pub_date=date(2024, 6, 1),
            create_date=date(2024, 6, 3),
            publication_types=["Journal Article"],
        ),
        ArticleRecord(
            pmid=OFF,
            title="Rituximab dosing schedules in systemic sclerosis clinics: a survey",
            abstract_sections=[
                AbstractSection(
                    "", "", "We asked pharmacists how they store rituximab vials in clinics."
                )
            ],
            journal_title="Made-up Pharmacy Notes",
            pub_year=2025,
            pub_date=date(2025, 1, 10),
            create_date=date(2025, 1, 12),
            publication_types=["Journal Article"],
        ),
    ]


def make_context(
    database_url: str,
    *,
    http: httpx.Client | None = None,
    eutils_url: str = "http://127.0.0.1:9/",
    clock: Callable[[], datetime] | None = None,
    **overrides: Any,
) -> Context:
    """A context on a migrated database; by default nothing listens at E-utilities' address,
    anyone may read, and the login is ``PASSWORD`` or ``TOKEN``."""
    values: dict[str, Any] = {
        "web_public_read": True,
        "web_password_hash": PASSWORD_HASH,
        "web_token": TOKEN,
        **overrides,
    }
    settings = load_settings(
        database_url=database_url,
        eutils_url=eutils_url,
        ncbi_email="t@example.org",
        secret_key=SECRET,
        eutils_max_tries=1,
        eutils_timeout=5,
        **values,
    )
    return build_context(settings, http=http, clock=clock or (lambda: NOW))


def seed(ctx: Context) -> None:
    """Store the three articles and classify them."""
    with Session(ctx.engine) as session:
        upsert_articles(session, articles(), now=NOW)
        session.commit()
        classify_pmids(session, [RCT, EVIL, OFF], kb=ctx.knowledge_base, now=ctx.now())
        session.commit()


@pytest.fixture
def ctx(seeded_url: str) -> Iterator[Context]:
    with make_context(seeded_url) as context:
        yield context


def free_port() -> int:
    with socket.socket() as s:
        s.bind(("127.0.0.1", 0))
        return int(s.getsockname()[1])


@contextmanager
def serving(app: FastAPI) -> Iterator[str]:
    """Serve ``app`` with uvicorn on a free loopback port in a thread; yields its base URL."""
    port = free_port()
    config = uvicorn.Config(app, host="127.0.0.1", port=port, log_level="warning", lifespan="off")
    server = uvicorn.Server(config)
    thread = threading.Thread(target=server.run, daemon=True)
    thread.start()
    deadline = time.monotonic() + 10
    while not server.started:  # uvicorn's own start-up flag
        if not thread.is_alive() or time.monotonic() > deadline:
            raise RuntimeError("the web server did not start")
        time.sleep(0.01)
    try:
        yield f"http://127.0.0.1:{port}"
    finally:
        server.should_exit = True
        thread.join(timeout=10)


@contextmanager
def app_client(ctx: Context) -> Iterator[httpx.Client]:
    """An HTTP client talking to the app for ``ctx``, served for real on loopback."""
    with serving(create_app(ctx)) as url, httpx.Client(base_url=url, trust_env=False) as c:
        yield c


@pytest.fixture
def client(ctx: Context) -> Iterator[httpx.Client]:
    with app_client(ctx) as c:
        yield c


def assert_no_unsafe_markup(html: str) -> None:
    assert "<script>" not in html
    assert "&lt;script&gt;alert(1)&lt;/script&gt;" in html


def result_pmids(html: str) -> list[str]:
    return re.findall(r'href="/article/(\d+)" class="title"', html)


# --- search -----------------------------------------------------------------------------


def test_the_seeded_articles_are_classified_as_the_tests_expect(ctx: Context) -> None:
    with Session(ctx.engine) as session:
        rct = get_classification(session, RCT)
        evil = get_classification(session, EVIL)
    assert rct is not None and evil is not None
    assert rct.relevance == "core"
    assert any(j.finding_id == "mrss-improvement" for j in rct.findings)
    assert evil.relevance in ("core", "related")


def test_local_search_ranks_by_match_and_highlights(client: httpx.Client, ctx: Context) -> None:
    page = client.get("/", params={"q": "rituximab sclerosis", "local": "1"})
    assert page.status_code == 200
    pmids = result_pmids(page.text)
    assert set(pmids) == {RCT, EVIL, OFF}
    with Session(ctx.engine) as session:
        hits = search_articles(session, "rituximab sclerosis")
    assert pmids == [h.pmid for h in hits]  # the store's full-text rank, not re-sorted
    assert "Best matches first" in page.text
    assert re.search(r'class="title">[^<]*<mark>Rituximab</mark>', page.text)
    assert re.search(r'class="snippet small">.*<mark>sclerosis</mark>', page.text)
    assert 'href="https://pubmed.ncbi.nlm.nih.gov/90000001/"' in page.text
    assert "in the store" in page.text
    assert 'class="badge core"' in page.text
    assert_no_unsafe_markup(page.text)  # the hostile title, highlighted, is still escaped
    assert "<i>" not in page.text.split('id="results"')[1].split("</table>")[0]
    assert 'name="local" value="1" checked' in page.text


@pytest.mark.parametrize("q", ['rituximab"', "rituximab*", "AND", "-rituximab", "title:x", "(x"])
def test_local_search_takes_any_input(client: httpx.Client, q: str) -> None:
    page = client.get("/", params={"q": q, "local": "1"})
    assert page.status_code == 200
    api = client.get("/api/search", params={"q": q, "local": "1"})
    assert api.status_code == 200 and isinstance(api.json()["results"], list)


def test_local_search_without_a_word_is_explained(client: httpx.Client) -> None:
    page = client.get("/", params={"q": "***", "local": "1"})
    assert page.status_code == 422
    assert 'role="alert"' in page.text and "at least one word" in page.text
    api = client.get("/api/search", params={"q": '""', "local": "1"})
    assert api.status_code == 422 and "at least one word" in api.json()["error"]


def test_local_search_narrows_by_words_and_date(client: httpx.Client) -> None:
    assert result_pmids(client.get("/?q=vials&local=1").text) == [OFF]
    page = client.get("/", params={"q": "rituximab", "local": "1", "since": "2025-01-01"})
    assert set(result_pmids(page.text)) == {RCT, OFF}
    page = client.get("/", params={"q": "rituximab", "local": "1", "limit": "1"})
    assert len(result_pmids(page.text)) == 1


def test_search_page_without_a_query_shows_the_form_and_the_findings(client: httpx.Client) -> None:
    page = client.get("/")
    assert page.status_code == 200
    assert '<form class="search"' in page.text
    assert 'href="/evidence/mrss-improvement"' in page.text
    assert 'href="/evidence/fvc-improvement"' in page.text
    assert "results-heading" not in page.text


@pytest.mark.parametrize(
    ("params", "words"),
    [
        ({"since": "last tuesday"}, "YYYY-MM-DD"),
        ({"limit": "many"}, "whole number"),
        ({"limit": "5000"}, "between 1 and 200"),
    ],
)
def test_bad_search_parameters_are_explained(
    client: httpx.Client, params: dict[str, str], words: str
) -> None:
    page = client.get("/", params={"q": "rituximab", "local": "1", **params})
    assert page.status_code == 422
    assert 'role="alert"' in page.text and words in page.text
    api = client.get("/api/search", params={"q": "rituximab", "local": "1", **params})
    assert api.status_code == 422 and words in api.json()["error"]


def test_live_search_with_ncbi_unreachable_says_so(client: httpx.Client) -> None:
    page = client.get("/", params={"q": "rituximab"})
    assert page.status_code == 502
    assert "PubMed could not be reached" in page.text
    assert "Stored articles only" in page.text
    assert "Traceback" not in page.text
    api = client.get("/api/search", params={"q": "rituximab"})
    assert api.status_code == 502
    assert "could not be reached" in api.json()["error"]


def eutils_answering(body: Callable[[httpx.Request], bytes]) -> httpx.Client:
    """An HTTP client whose E-utilities answers come from ``body`` (the transport is the seam)."""
    return httpx.Client(
        transport=httpx.MockTransport(lambda request: httpx.Response(200, content=body(request)))
    )


def test_live_search_shows_what_pubmed_found(seeded_url: str) -> None:
    seen: list[httpx.Request] = []

    def answer(request: httpx.Request) -> bytes:
        seen.append(request)
        return esearch_xml(count=1234, ids=[EVIL, RCT])

    http = eutils_answering(answer)
    with make_context(seeded_url, http=http) as ctx:
        with app_client(ctx) as client:
            page = client.get("/", params={"q": "rituximab AND sclerosis", "limit": "5"})
            api = client.get("/api/search", params={"q": "rituximab AND sclerosis"})
    assert page.status_code == 200
    assert result_pmids(page.text) == [RCT, EVIL]
    assert "of 1234 in PubMed" in page.text
    assert seen[0].url.path.endswith("esearch.fcgi")
    assert seen[0].url.params["term"] == "rituximab AND sclerosis"
    assert seen[0].url.params["email"] == "t@example.org"
    body = api.json()
    assert body["total"] == 1234 and body["local"] is False
    assert [r["pmid"] for r in body["results"]] == [RCT, EVIL]


def test_a_query_pubmed_refuses_is_a_400(seeded_url: str) -> None:
    http = eutils_answering(lambda _: esearch_xml(error="Invalid query", only_error=True))
    with make_context(seeded_url, http=http) as ctx:
        with app_client(ctx) as client:
            page = client.get("/", params={"q": "rituximab[nosuchfield"})
    assert page.status_code == 400
    assert "PubMed cannot run this query" in page.text
    assert "Invalid query" in page.text


def test_api_search_local(client: httpx.Client) -> None:
    response = client.get("/api/search", params={"q": "rituximab", "local": "true"})
    assert response.status_code == 200
    body = response.json()
    assert body["local"] is True and body["total"] is None
    first = next(r for r in body["results"] if r["pmid"] == RCT)
    assert first["matched"] == ["rituximab"] and first["score"] > 0
    assert ["Rituximab", True] in first["title_marked"]
    assert "rituximab" in first["snippet"].lower()
    assert first["relevance"] == "core"
    assert first["date"] == "2025-11-03"
    assert any(f["finding_id"] == "mrss-improvement" for f in first["findings"])
    assert client.get("/api/search").status_code == 422


# --- article --------------------------------------------------------------------------


def test_article_page_shows_everything_known(client: httpx.Client) -> None:
    page = client.get(f"/article/{RCT}")
    assert page.status_code == 200
    html = page.text
    assert "Tanaka H, Suzuki A" in html
    assert "Journal of Made-up Rheumatology" in html
    assert 'href="https://doi.org/10.9999/litwatch.rct"' in html
    assert "Randomized Controlled Trial" in html
    assert "Scleroderma, Systemic*" in html and "drug therapy*" in html
    assert "NCT09999999" in html
    assert "<h3>Results</h3>" in html
    assert 'class="badge core"' in html
    assert 'href="/evidence/mrss-improvement"' in html
    assert re.search(r"<mark>[^<]*(mRSS|skin)[^<]*</mark>", html, re.IGNORECASE)
    assert 'id="reasons"' in html
    # Labelling needs a login: a reader sees where to log in, an editor the two buttons.
    assert f'action="/api/articles/{RCT}/feedback"' not in html
    assert 'id="feedback-login"' in html
    log_in(client)
    html = client.get(f"/article/{RCT}").text
    assert html.count(f'action="/api/articles/{RCT}/feedback"') == 2
    assert html.count('name="csrf_token"') >= 2


def test_article_page_escapes_an_unsafe_title(client: httpx.Client) -> None:
    page = client.get(f"/article/{EVIL}")
    assert page.status_code == 200
    assert_no_unsafe_markup(page.text)
    assert "<i>italic</i>" in page.text
    # The <title> holds plain text: the tag as text, the italics dropped.
    assert "<title>&lt;script&gt;alert(1)&lt;/script&gt; and italic: rituximab" in page.text


def test_unknown_article_is_a_404_page(client: httpx.Client) -> None:
    page = client.get("/article/123")
    assert page.status_code == 404
    assert "PMID 123 is not in the store" in page.text
    api = client.get("/api/articles/123")
    assert api.status_code == 404 and "not in the store" in api.json()["error"]


def test_api_article(client: httpx.Client) -> None:
    body = client.get(f"/api/articles/{RCT}").json()
    assert body["article"]["pmid"] == RCT
    assert body["article"]["pub_date"] == "2025-11-03"
    assert body["classification"]["relevance"] == "core"
    assert body["retracted"] is False


# --- evidence -------------------------------------------------------------------------


def test_evidence_page_lists_the_articles_on_a_finding(client: httpx.Client) -> None:
    page = client.get("/evidence/mrss-improvement")
    assert page.status_code == 200
    assert "modified Rodnan skin score" in page.text  # the statement
    assert f'href="/article/{RCT}"' in page.text
    assert "supports" in page.text
    assert "<script>" not in page.text
    api = client.get("/api/evidence/mrss-improvement").json()
    assert api["finding_id"] == "mrss-improvement"
    assert RCT in [r["pmid"] for r in api["rows"]]


def test_unknown_finding_is_a_404(client: httpx.Client) -> None:
    assert client.get("/evidence/no-such-finding").status_code == 404
    assert client.get("/api/evidence/no-such-finding").status_code == 404


# --- feedback -------------------------------------------------------------------------


def feedback_rows(ctx: Context) -> list[Feedback]:
    with Session(ctx.engine) as session:
        return list(session.exec(select(Feedback).order_by(col(Feedback.id))))


def test_feedback_link_posts_the_label_and_a_mere_fetch_records_nothing(
    client: httpx.Client, ctx: Context
) -> None:
    token = make_token(
        SECRET, "feedback", {"pmid": RCT, "email": "ana@example.org", "relevant": False}, now=NOW
    )
    page = client.get(f"/feedback/{token}")  # what a mail scanner does
    assert page.status_code == 200
    assert f'action="/feedback/{token}"' in page.text and "not relevant" in page.text
    assert feedback_rows(ctx) == []
    done = client.post(f"/feedback/{token}")  # what the page does in a reader's browser
    assert done.status_code == 200
    assert "Thank you" in done.text and "not relevant" in done.text
    [row] = feedback_rows(ctx)
    assert (row.pmid, row.relevant, row.source, row.who) == (
        RCT,
        False,
        "email",
        "ana@example.org",
    )


@pytest.mark.parametrize(
    ("make", "words"),
    [
        (lambda t: t[:-3] + ("AAA" if not t.endswith("AAA") else "BBB"), "not valid"),
        (lambda t: "nonsense", "not valid"),
    ],
)
def test_a_tampered_feedback_link_is_refused(
    client: httpx.Client, ctx: Context, make: Callable[[str], str], words: str
) -> None:
    token = make_token(SECRET, "feedback", {"pmid": RCT, "email": "a@b.org", "relevant": True})
    for page in (client.get(f"/feedback/{make(token)}"), client.post(f"/feedback/{make(token)}")):
        assert page.status_code == 400
        assert words in page.text
    assert feedback_rows(ctx) == []


def test_an_old_or_misdirected_link_is_refused(client: httpx.Client, ctx: Context) -> None:
    payload = {"pmid": RCT, "email": "a@b.org", "relevant": True}
    old = make_token(SECRET, "feedback", payload, now=NOW - timedelta(days=120))
    page = client.post(f"/feedback/{old}")
    assert page.status_code == 400 and "expired" in page.text
    other = make_token(SECRET, "unsubscribe", {"email": "a@b.org"}, now=NOW)
    assert client.get(f"/feedback/{other}").status_code == 400
    assert client.post(f"/feedback/{other}").status_code == 400
    assert feedback_rows(ctx) == []


def log_in(client: httpx.Client, secret: str = PASSWORD) -> str:
    """Log ``client`` in through the login form; the session's CSRF token."""
    form = client.get("/login")
    token = re.search(r'name="csrf_token" value="([^"]+)"', form.text)
    assert token is not None
    done = client.post(
        "/login", data={"password": secret, "csrf_token": token.group(1), "next": "/"}
    )
    assert done.status_code == 303, done.text[:300]
    assert done.headers["location"] == "/"
    return csrf_of(client)


def csrf_of(client: httpx.Client, path: str = "/searches") -> str:
    """The CSRF token the forms of a page carry for this client's session."""
    found = re.search(r'name="csrf_token" value="([^"]+)"', client.get(path).text)
    assert found is not None
    return found.group(1)


def test_feedback_button_posts_and_comes_back(client: httpx.Client, ctx: Context) -> None:
    csrf = log_in(client)
    response = client.post(
        f"/api/articles/{RCT}/feedback",
        data={"relevant": "true", "csrf_token": csrf},
        headers={"Accept": "text/html"},
        follow_redirects=False,
    )
    assert response.status_code == 303
    assert response.headers["location"].startswith(f"/article/{RCT}?feedback=relevant")
    page = client.get(response.headers["location"])
    assert "your label “relevant” is recorded" in page.text
    [row] = feedback_rows(ctx)
    assert (row.relevant, row.source) == (True, "web")


def test_api_feedback_takes_json(client: httpx.Client, ctx: Context) -> None:
    url = f"/api/articles/{EVIL}/feedback"
    response = client.post(url, json={"relevant": False}, headers=BEARER)
    assert response.status_code == 200
    assert response.json()["relevant"] is False
    bad = client.post(url, json={"relevant": "perhaps"}, headers=BEARER)
    assert bad.status_code == 422
    missing = client.post("/api/articles/123/feedback", json={"relevant": True}, headers=BEARER)
    assert missing.status_code == 404
    assert [(r.pmid, r.relevant) for r in feedback_rows(ctx)] == [(EVIL, False)]


# --- unsubscribe ----------------------------------------------------------------------


@pytest.fixture
def subscriber(ctx: Context) -> str:
    with Session(ctx.engine) as session:
        add_subscriber(session, "ana@example.org", now=NOW)
        session.commit()
    return make_token(SECRET, "unsubscribe", {"email": "ana@example.org"}, now=NOW)


def is_active(ctx: Context, email: str) -> bool:
    with Session(ctx.engine) as session:
        sub = get_subscriber(session, email)
        return bool(sub and sub.active)


def test_unsubscribe_asks_then_does_it(client: httpx.Client, ctx: Context, subscriber: str) -> None:
    page = client.get(f"/unsubscribe/{subscriber}")
    assert page.status_code == 200
    assert "ana@example.org" in page.text
    assert f'<form method="post" action="/unsubscribe/{subscriber}">' in page.text
    assert is_active(ctx, "ana@example.org")  # a GET changes nothing
    done = client.post(f"/unsubscribe/{subscriber}")
    assert done.status_code == 200
    assert "You are unsubscribed" in done.text
    assert not is_active(ctx, "ana@example.org")
    again = client.get(f"/unsubscribe/{subscriber}")
    assert "Not subscribed" in again.text


def test_one_click_unsubscribe(client: httpx.Client, ctx: Context, subscriber: str) -> None:
    response = client.post(
        f"/unsubscribe/{subscriber}",
        content=b"List-Unsubscribe=One-Click",
        headers={"Content-Type": "application/x-www-form-urlencoded"},
    )
    assert response.status_code == 200
    assert not is_active(ctx, "ana@example.org")
    # Posting twice is harmless.
    assert client.post(f"/unsubscribe/{subscriber}").status_code == 200


def test_a_bad_unsubscribe_link_is_refused(
    client: httpx.Client, ctx: Context, subscriber: str
) -> None:
    forged = make_token("another-secret", "unsubscribe", {"email": "ana@example.org"})
    assert client.get(f"/unsubscribe/{forged}").status_code == 400
    response = client.post(f"/unsubscribe/{forged}")
    assert response.status_code == 400 and "not a valid unsubscribe link" in response.text
    assert is_active(ctx, "ana@example.org")


# --- health and errors -----------------------------------------------------------------


def test_healthz(client: httpx.Client) -> None:
    response = client.get("/healthz")
    assert response.status_code == 200
    body = response.json()
    assert (body["status"], body["database"], body["problems"]) == ("ok", "ok", [])


def test_unknown_page_is_a_404_page(client: httpx.Client) -> None:
    page = client.get("/nowhere")
    assert page.status_code == 404
    assert page.headers["content-type"].startswith("text/html")
    assert client.get("/api/nowhere").json() == {"error": "Not Found"}
