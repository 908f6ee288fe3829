"""The dashboard (/dashboard, /api/dashboard) on the demo corpus stored in three waves: its
sections, filters, sorts, pages, bad input and the since-last-visit cookie."""

from __future__ import annotations

import re
import shutil
from collections.abc import Iterator
from datetime import UTC, datetime, timedelta
from pathlib import Path
from typing import Any

import httpx
import pytest
from sqlmodel import Session, select

from litwatch.context import Context
from litwatch.digests.subscribers import add_subscriber
from litwatch.fake_eutils.democorpus import DEMO_DIR
from litwatch.judging.classify_stored import classify_pmids
from litwatch.pubmed.parser import parse_pubmed_xml
from litwatch.records import REVIEW_THRESHOLD
from litwatch.store.articles import upsert_articles
from litwatch.store.digests import add_digest, mark_sent
from litwatch.store.fulltext import search_articles
from litwatch.store.tables import Article
from litwatch.web.dashboard_params import VISIT_COOKIE, next_visits, read_visits
from tests.web.test_app import NOW, app_client, make_context

# The demo corpus stored in three waves: long ago, five days ago, an hour ago.
WAVES = (NOW - timedelta(days=60), NOW - timedelta(days=5), NOW - timedelta(hours=1))


def store_in_waves(ctx: Context) -> None:
    records = []
    for path in sorted(DEMO_DIR.glob("*.xml")):
        records.extend(parse_pubmed_xml(path).articles)
    with Session(ctx.engine) as session:
        for i, when in enumerate(WAVES):
            upsert_articles(session, records[i :: len(WAVES)], now=when)
        session.commit()
        classify_pmids(session, [r.pmid for r in records], kb=ctx.knowledge_base, now=NOW)
        session.commit()


@pytest.fixture(scope="module")
def _demo_template(tmp_path_factory: pytest.TempPathFactory, _sqlite_template: Path) -> Path:
    path = tmp_path_factory.mktemp("dashboard") / "demo.db"
    shutil.copyfile(_sqlite_template, path)
    with make_context(f"sqlite:///{path}") as ctx:
        store_in_waves(ctx)
    return path


@pytest.fixture
def ctx(_demo_template: Path, tmp_path: Path) -> Iterator[Context]:
    target = tmp_path / "litwatch.db"
    shutil.copyfile(_demo_template, target)
    with make_context(f"sqlite:///{target}") as context:
        yield context


@pytest.fixture
def client(ctx: Context) -> Iterator[httpx.Client]:
    with app_client(ctx) as c:
        yield c


def first_seen(ctx: Context) -> dict[str, datetime]:
    with Session(ctx.engine) as session:
        return {a.pmid: a.first_seen for a in session.exec(select(Article)) if a.first_seen}


def api(client: httpx.Client, **params: Any) -> dict[str, Any]:
    answer = client.get("/api/dashboard", params=params)
    assert answer.status_code == 200, answer.text
    body: dict[str, Any] = answer.json()
    return body


def every_result(client: httpx.Client, **params: Any) -> list[dict[str, Any]]:
    """Every row of the main list, page by page."""
    rows: list[dict[str, Any]] = []
    page: int | None = 1
    while page is not None:
        body = api(client, page=page, per_page=100, **params)
        rows += body["results"]
        page = body["next_page"]
    return rows


# --- the window: what is "new" ------------------------------------------------------------


def test_a_first_visit_without_digests_shows_the_last_30_days(
    client: httpx.Client, ctx: Context
) -> None:
    seen = first_seen(ctx)
    rows = every_result(client, relevance="all")
    recent = {p for p, t in seen.items() if t >= NOW - timedelta(days=30)}
    assert {r["pmid"] for r in rows} <= recent
    assert len(rows) > 50  # the two recent waves, judged
    body = api(client)
    assert "last 30 days" in body["since_label"]
    page = client.get("/dashboard")
    assert page.status_code == 200 and "in the last 30 days" in page.text


def test_with_a_digest_sent_new_means_since_that_digest(client: httpx.Client, ctx: Context) -> None:
    sent_at = NOW - timedelta(days=2)
    with Session(ctx.engine) as session:
        who = add_subscriber(session, "a@example.org", now=NOW - timedelta(days=90))
        assert who.id is not None
        digest = add_digest(
            session, subscriber_id=who.id, period_start=NOW, period_end=NOW, now=sent_at
        )
        assert digest.id is not None
        mark_sent(session, digest.id, attempts=1, sent_at=sent_at)
        session.commit()
    seen = first_seen(ctx)
    rows = every_result(client, relevance="all", since="last-digest")
    assert rows and {r["pmid"] for r in rows} <= {p for p, t in seen.items() if t >= sent_at}
    assert api(client, since="last-digest")["since"] == sent_at.isoformat()
    # A first visit (no cookie) falls back to the last digest too.
    assert api(client)["since"] == sent_at.isoformat()


def test_a_date_chooses_the_window(client: httpx.Client, ctx: Context) -> None:
    rows = every_result(client, relevance="all", since_date="2025-01-01")
    assert len(rows) == len(every_result(client, relevance="all", since="2025-01-01"))
    assert len(rows) > len(every_result(client, relevance="all"))  # the old wave as well


def test_the_cookie_remembers_the_last_visit(ctx: Context) -> None:
    # The previous visit was three days ago: only the newest wave is new.
    earlier = NOW - timedelta(days=3)
    cookie = f"{int(earlier.timestamp()) - 86400}.{int(earlier.timestamp())}"
    with app_client(ctx) as c:
        c.cookies.set(VISIT_COOKIE, cookie)
        page = c.get("/dashboard", params={"relevance": "all"})
        assert page.status_code == 200
        assert "since your last visit" in page.text
        set_to = page.cookies[VISIT_COOKIE]
        assert read_visits(set_to) == (earlier, NOW)
        seen = first_seen(ctx)
        newest = {p for p, t in seen.items() if t >= earlier}
        shown = set(re.findall(r'href="/article/(\d+)" class="title"', page.text))
        assert shown and shown <= newest


def test_requests_of_one_visit_keep_its_window() -> None:
    start = datetime(2026, 5, 1, 8, 0, tzinfo=UTC)
    previous, value = next_visits(None, start)
    assert previous is None and read_visits(value) == (None, start)
    # Paging on ten minutes later: still the first visit.
    previous, value = next_visits(value, start + timedelta(minutes=10))
    assert previous is None
    # A day later: the last visit is the latest request of the one before.
    previous, value = next_visits(value, start + timedelta(days=1))
    assert previous == start + timedelta(minutes=10)
    assert read_visits(value) == (start + timedelta(minutes=10), start + timedelta(days=1))
    assert read_visits("garbage") == (None, None)
    assert next_visits("x.y", start)[0] is None


# --- sections -----------------------------------------------------------------------------


def test_the_sections_hold_what_they_say(client: httpx.Client) -> None:
    body = api(client, relevance="all")
    sections = body["sections"]
    assert list(sections) == ["contradictions", "rcts", "retractions"]
    contradictions = sections["contradictions"]["results"]
    assert contradictions, "the demo corpus has contradicting studies"
    for row in contradictions:
        assert any(f["stance"] == "contradicts" for f in row["findings"])
        assert not row["retracted"]
    for row in sections["rcts"]["results"]:
        assert row["design"] == "rct" and "multicentre-rct" in row["flags"]
    retractions = sections["retractions"]["results"]
    assert retractions
    for row in retractions:
        assert row["retracted"] or {"retracted", "retraction-notice"} & set(row["flags"])
    whole = every_result(client, relevance="all", section="contradictions")
    assert len(whole) == sections["contradictions"]["count"]


def test_the_page_shows_sections_in_order_and_marks_retractions(client: httpx.Client) -> None:
    page = client.get("/dashboard", params={"relevance": "all"})
    assert page.status_code == 200
    text = page.text
    order = [text.index(f'id="section-{k}"') for k in ("contradictions", "rcts", "retractions")]
    assert order == sorted(order) and order[-1] < text.index('id="section-main"')
    retractions = text.split('id="section-retractions"')[1].split("</section>")[0]
    assert 'class="badge retracted"' in retractions
    assert 'class="finding-group"' in text
    assert '<a href="/dashboard" aria-current="page">Dashboard</a>' in text


def test_the_main_list_is_grouped_by_finding(client: httpx.Client) -> None:
    body = api(client, relevance="all", per_page=50)
    groups = body["groups"]
    assert sum(len(g["pmids"]) for g in groups) == len(body["results"])
    by_pmid = {r["pmid"]: r for r in body["results"]}
    for g in groups:
        for pmid in g["pmids"]:
            judged = {f["finding_id"] for f in by_pmid[pmid]["findings"]}
            assert g["finding_id"] in judged if g["finding_id"] else not judged


# --- filters and sorts --------------------------------------------------------------------


def test_filters_narrow_every_row(client: httpx.Client, ctx: Context) -> None:
    everything = every_result(client, relevance="all")
    rcts = every_result(client, relevance="all", design="rct")
    assert rcts and all(r["design"] == "rct" for r in rcts) and len(rcts) < len(everything)
    core = every_result(client, relevance="core")
    assert core and all(r["relevance"] == "core" for r in core)
    default = every_result(client)
    assert {r["relevance"] for r in default} <= {"core", "related"}
    supports = every_result(client, relevance="all", stance="supports")
    assert supports and all(any(f["stance"] == "supports" for f in r["findings"]) for r in supports)
    review = every_result(client, relevance="all", review="1")
    assert review and len(review) < len(everything)
    for r in review:
        assert any(f["confidence"] < REVIEW_THRESHOLD for f in r["findings"])
    dated = every_result(client, relevance="all", **{"from": "2022-01-01", "to": "2023-12-31"})
    assert dated and len(dated) < len(everything)
    assert all("2022-01-01" <= r["date"] <= "2023-12-31" for r in dated)


def test_the_word_filter_uses_the_full_text_index(client: httpx.Client, ctx: Context) -> None:
    rows = every_result(client, relevance="all", q="skin score")
    with Session(ctx.engine) as session:
        hits = {h.pmid for h in search_articles(session, "skin score", limit=1000)}
    assert rows and {r["pmid"] for r in rows} <= hits
    everything = {r["pmid"] for r in every_result(client, relevance="all")}
    assert {r["pmid"] for r in rows} == hits & everything


def test_sorts(client: httpx.Client, ctx: Context) -> None:
    seen = first_seen(ctx)
    newest = [seen[r["pmid"]] for r in every_result(client, relevance="all")]
    assert newest == sorted(newest, reverse=True) and newest[0] > newest[-1]
    oldest = [seen[r["pmid"]] for r in every_result(client, relevance="all", sort="oldest")]
    assert oldest == sorted(oldest)
    body = api(client, relevance="all", sort="n", per_page=100)
    # A result row carries no n: it is read from each article's own answer.
    pmids = [r["pmid"] for r in body["results"]]
    numbers = [client.get(f"/api/articles/{p}").json()["classification"]["numbers"] for p in pmids]
    values = [n.get("n") for n in numbers]
    known = [v for v in values if v is not None]
    assert known and known == sorted(known, reverse=True)
    assert values[: len(known)] == known  # articles without an n come last
    ranked = every_result(client, relevance="all", sort="relevance")
    ranks = [{"core": 0, "related": 1, "off": 2}[r["relevance"]] for r in ranked]
    assert ranks == sorted(ranks) and ranks[0] < ranks[-1]


# --- pages --------------------------------------------------------------------------------


def test_pages_are_disjoint_and_end(client: httpx.Client) -> None:
    whole = [r["pmid"] for r in api(client, relevance="all", per_page=100)["results"]]
    first = api(client, relevance="all", per_page=7)
    second = api(client, relevance="all", per_page=7, page=2)
    assert [r["pmid"] for r in first["results"]] == whole[:7]
    assert [r["pmid"] for r in second["results"]] == whole[7:14]
    assert first["next_page"] == 2
    total = len(every_result(client, relevance="all"))
    last_page = (total + 6) // 7
    last = api(client, relevance="all", per_page=7, page=last_page)
    assert last["next_page"] is None and 1 <= len(last["results"]) <= 7
    beyond = api(client, relevance="all", per_page=7, page=last_page + 1)
    assert beyond["results"] == [] and beyond["next_page"] is None
    page = client.get("/dashboard", params={"relevance": "all", "per_page": 7, "page": 2})
    assert 'id="prev-page"' in page.text and 'id="next-page"' in page.text
    assert "page=3" in page.text.split('id="next-page"')[1].split(">")[0]


@pytest.mark.parametrize(
    ("params", "named"),
    [
        ({"design": "rtc"}, "design"),
        ({"stance": "agrees"}, "stance"),
        ({"relevance": "maybe"}, "relevance"),
        ({"sort": "title"}, "sort"),
        ({"section": "news"}, "section"),
        ({"since": "yesterday"}, "since"),
        ({"since_date": "2026-13-01"}, "since_date"),
        ({"from": "01/02/2025"}, "from"),
        ({"from": "2025-02-01", "to": "2025-01-01"}, "from"),
        ({"review": "maybe"}, "review"),
        ({"page": "0"}, "page"),
        ({"page": "two"}, "page"),
        ({"page": "100000"}, "page"),
        ({"per_page": "101"}, "per_page"),
        ({"q": "?!"}, "word"),
    ],
)
def test_bad_input_is_a_422_naming_it(
    client: httpx.Client, params: dict[str, str], named: str
) -> None:
    answer = client.get("/api/dashboard", params=params)
    assert answer.status_code == 422
    assert named in answer.json()["error"]
    page = client.get("/dashboard", params=params)
    assert page.status_code == 422
    assert named in page.text and "<h1>" in page.text


# --- downloads ----------------------------------------------------------------------------


def test_a_section_downloads_every_page_of_itself_in_its_order(client: httpx.Client) -> None:
    import html

    import rispy

    params = {"relevance": "all", "sort": "oldest", "per_page": "5"}
    page = client.get("/dashboard", params=params)
    assert page.status_code == 200
    links = re.findall(r'<a href="(/export/ris\?[^"]+)" download', page.text)
    assert len(links) == 1
    answer = client.get(html.unescape(links[0]))
    assert answer.status_code == 200, answer.text[:300]
    assert 'filename="litwatch-dashboard-new.ris"' in answer.headers["content-disposition"]
    got = [e["accession_number"] for e in rispy.loads(answer.text)]
    wanted = [r["pmid"] for r in every_result(client, relevance="all", sort="oldest")]
    assert len(wanted) > 5 and got == wanted  # every page, not the five shown


def test_a_download_keeps_its_window_and_refuses_bad_values(client: httpx.Client) -> None:
    contradictions = every_result(client, relevance="all", section="contradictions")
    since = (NOW - timedelta(days=365)).isoformat()
    query = {"dashboard": "section=contradictions&relevance=all", "since_at": since}
    answer = client.get("/export/csv", params=query)
    assert answer.status_code == 200
    assert len(answer.text.strip().splitlines()) - 1 >= len(contradictions) > 0
    for bad, words in [
        ({"dashboard": "sort=sideways", "since_at": since}, "sort"),
        ({"dashboard": "section=new", "since_at": "yesterday"}, "ISO 8601"),
        ({"dashboard": "section=new", "since_at": "2026-11-01T00:00:00"}, "time zone"),
        ({"dashboard": "section=new", "since_at": since, "search": "x"}, "one list"),
    ]:
        refused = client.get("/export/csv", params=bad)
        assert refused.status_code == 422 and words in refused.text, refused.text[:200]


def test_the_words_searched_for_are_marked_on_the_page(client: httpx.Client) -> None:
    page = client.get("/dashboard", params={"q": "skin score", "relevance": "all"})
    assert page.status_code == 200
    titles = re.findall(r'class="title">(.*?)</a>', page.text, flags=re.S)
    snippets = re.findall(r'class="snippet small">(.*?)</div>', page.text, flags=re.S)
    assert titles and snippets
    marks = {m.lower() for m in re.findall(r"<mark>(.*?)</mark>", "".join(titles + snippets))}
    assert marks and marks <= {"skin", "score", "scores"}
    plain = client.get("/dashboard", params={"relevance": "all"})
    assert "<mark>" not in plain.text
