"""The E-utilities client against respx: etiquette, retries, errors inside answers, history."""

from __future__ import annotations

import logging
import threading
from collections.abc import Callable
from datetime import UTC, date, datetime, timedelta
from email.utils import format_datetime
from pathlib import Path
from urllib.parse import parse_qs

import httpx
import pytest
import respx

from litwatch.errors import ConfigError, EutilsError, HistoryExpiredError, QueryError
from litwatch.eutils.client import EutilsClient
from litwatch.eutils.ratelimit import Permit, RateLimiter, shared_limiter
from litwatch.eutils.retry import retry_after_seconds
from litwatch.eutils.settings import EutilsSettings

BASE = "http://127.0.0.1:9/entrez/eutils/"
NOW = datetime(2026, 11, 24, 12, 0, 0, tzinfo=UTC)
KEY = "sekret-key-123"

ESEARCH_OK = (
    b'<?xml version="1.0" encoding="UTF-8" ?>\n<eSearchResult><Count>2</Count><RetMax>2</RetMax>'
    b"<RetStart>0</RetStart><QueryKey>1</QueryKey><WebEnv>MCID_w1</WebEnv>"
    b"<IdList><Id>111</Id><Id>222</Id></IdList><TranslationSet/>"
    b"<QueryTranslation>rituximab[All Fields]</QueryTranslation></eSearchResult>"
)
EFETCH_OK = b'<?xml version="1.0" ?>\n<PubmedArticleSet><PubmedArticle/></PubmedArticleSet>\n'
EXPIRED = b"<eFetchResult><ERROR>Unable to obtain query #1</ERROR></eFetchResult>"
RATE_JSON = b'{"error":"API rate limit exceeded","api-key":"1.2.3.4","count":"4","limit":"3"}'


class FakeClock:
    """Time that moves only when slept on, so limiter waits cost nothing."""

    def __init__(self) -> None:
        self.now = 0.0
        self._lock = threading.Lock()

    def __call__(self) -> float:
        return self.now

    def sleep(self, seconds: float) -> None:
        with self._lock:
            self.now += seconds


class RecordingLimiter(RateLimiter):
    """A real limiter that remembers when it let each request through."""

    def __init__(self, rate: float, clock: FakeClock) -> None:
        super().__init__(rate, clock=clock, sleep=clock.sleep)
        self.granted: list[float] = []
        self._record_lock = threading.Lock()

    def acquire(self) -> Permit:
        permit = super().acquire()
        with self._record_lock:
            self.granted.append(permit.granted_at)
        return permit


@pytest.fixture
def router() -> respx.Router:
    return respx.Router(base_url=BASE, assert_all_called=False)


@pytest.fixture
def sleeps() -> list[float]:
    return []


@pytest.fixture
def make_client(router: respx.Router, sleeps: list[float]) -> Callable[..., EutilsClient]:
    def make(api_key: str | None = None, **overrides: object) -> EutilsClient:
        settings = EutilsSettings(
            base_url=BASE, tool="litwatch", email="team@example.org", api_key=api_key,
            **overrides,  # type: ignore[arg-type]
        )  # fmt: skip
        limiter = RecordingLimiter(settings.requests_per_second, FakeClock())
        http = httpx.Client(transport=httpx.MockTransport(router.handler))
        return EutilsClient(http, settings, limiter=limiter, sleep=sleeps.append, now=lambda: NOW)

    return make


def sent(request: httpx.Request) -> dict[str, str]:
    """Every parameter a request carried, from its URL and its form body."""
    params = dict(request.url.params)
    if request.method == "POST":
        params.update({k: v[0] for k, v in parse_qs(request.content.decode()).items()})
    return params


def all_requests(router: respx.Router) -> list[httpx.Request]:
    return [call.request for call in router.calls]


# -- etiquette ---------------------------------------------------------------------------


@pytest.mark.parametrize("api_key", [None, KEY])
def test_every_request_names_tool_email_db_and_key(
    router: respx.Router, make_client: Callable[..., EutilsClient], api_key: str | None
) -> None:
    router.get("esearch.fcgi").respond(200, content=ESEARCH_OK)
    router.get("efetch.fcgi").respond(200, content=EFETCH_OK)
    router.post("efetch.fcgi").respond(200, content=EFETCH_OK)
    client = make_client(api_key=api_key)

    result = client.esearch("rituximab")
    client.efetch_history(result, 0, 2)
    client.efetch_ids(["111", "222"])

    requests = all_requests(router)
    assert len(requests) == 3 == client.requests_made
    for request in requests:
        params = sent(request)
        assert params["db"] == "pubmed"
        assert params["tool"] == "litwatch"
        assert params["email"] == "team@example.org"
        if api_key:
            assert params["api_key"] == KEY
        else:
            assert "api_key" not in params


def test_esearch_sends_the_search_as_asked(
    router: respx.Router, make_client: Callable[..., EutilsClient]
) -> None:
    route = router.get("esearch.fcgi").respond(200, content=ESEARCH_OK)
    result = make_client().esearch(
        "rituximab",
        datetype="mdat",
        mindate=date(2026, 1, 5),
        maxdate=date(2026, 2, 7),
        retstart=20,
        retmax=100,
        sort="pub_date",
    )
    params = sent(route.calls.last.request)
    assert params["term"] == "rituximab"
    assert params["usehistory"] == "y"
    assert (params["datetype"], params["mindate"], params["maxdate"]) == (
        "mdat",
        "2026/01/05",
        "2026/02/07",
    )
    assert (params["retstart"], params["retmax"], params["sort"]) == ("20", "100", "pub_date")
    assert result.ids == ["111", "222"]
    assert (result.webenv, result.query_key, result.count) == ("MCID_w1", "1", 2)
    assert (result.datetype, result.mindate, result.maxdate) == (
        "mdat",
        date(2026, 1, 5),
        date(2026, 2, 7),
    )


def test_esearch_without_history_and_dates_sends_neither(
    router: respx.Router, make_client: Callable[..., EutilsClient]
) -> None:
    route = router.get("esearch.fcgi").respond(200, content=ESEARCH_OK)
    make_client().esearch("x", usehistory=False)
    params = sent(route.calls.last.request)
    assert not {"usehistory", "datetype", "mindate", "maxdate", "sort"} & params.keys()


def test_one_date_alone_is_refused(make_client: Callable[..., EutilsClient]) -> None:
    with pytest.raises(ValueError):
        make_client().esearch("x", mindate=date(2026, 1, 1))


def test_a_long_term_goes_in_a_post_body(
    router: respx.Router, make_client: Callable[..., EutilsClient]
) -> None:
    route = router.post("esearch.fcgi").respond(200, content=ESEARCH_OK)
    term = " OR ".join(f"gene{i}[tiab]" for i in range(300))
    make_client().esearch(term)
    request = route.calls.last.request
    assert sent(request)["term"] == term
    assert "term" not in request.url.params


def test_efetch_ids_posts_a_form_body(
    router: respx.Router, make_client: Callable[..., EutilsClient]
) -> None:
    route = router.post("efetch.fcgi").respond(200, content=EFETCH_OK)
    assert make_client(api_key=KEY).efetch_ids(["1", "22", "333"]) == EFETCH_OK
    request = route.calls.last.request
    assert request.headers["content-type"] == "application/x-www-form-urlencoded"
    assert not request.url.params  # nothing, the key least of all, in the URL
    form = parse_qs(request.content.decode())
    assert form["id"] == ["1,22,333"]
    assert form["retmode"] == ["xml"]
    assert form["api_key"] == [KEY]


def test_iter_id_batches_splits_the_list(
    router: respx.Router, make_client: Callable[..., EutilsClient]
) -> None:
    route = router.post("efetch.fcgi").respond(200, content=EFETCH_OK)
    pmids = [str(n) for n in range(1, 1201)]
    batches = list(make_client().iter_id_batches(pmids, batch_size=500))
    assert [len(chunk) for chunk, _ in batches] == [500, 500, 200]
    assert [sent(c.request)["id"].split(",") for c in route.calls] == [c for c, _ in batches]
    assert sum((c for c, _ in batches), []) == pmids


def test_default_limiter_is_the_process_one_at_ncbi_rate() -> None:
    http = httpx.Client(transport=httpx.MockTransport(lambda r: httpx.Response(500)))
    plain = EutilsSettings(base_url=BASE, tool="t", email="e@x.org")
    keyed = EutilsSettings(base_url=BASE, tool="t", email="e@x.org", api_key=KEY)
    capped = EutilsSettings(base_url=BASE, tool="t", email="e@x.org", api_key=KEY, max_rps=20)
    slower = EutilsSettings(base_url=BASE, tool="t", email="e@x.org", max_rps=2)
    assert EutilsClient(http, plain).limiter is shared_limiter(3.0)
    assert EutilsClient(http, keyed).limiter is shared_limiter(10.0)
    assert capped.requests_per_second == 10.0
    assert slower.requests_per_second == 2.0


def test_settings_refuse_missing_etiquette() -> None:
    with pytest.raises(ConfigError):
        EutilsSettings(base_url=BASE, tool="litwatch", email=" ")
    with pytest.raises(ConfigError):
        EutilsSettings(base_url=BASE, tool="litwatch", email="e@x.org", max_tries=0)


def test_threads_together_keep_to_the_rate(
    router: respx.Router, make_client: Callable[..., EutilsClient]
) -> None:
    router.get("esearch.fcgi").mock(
        side_effect=[httpx.Response(503)] * 4 + [httpx.Response(200, content=ESEARCH_OK)] * 40
    )
    client = make_client()
    errors: list[BaseException] = []

    def work() -> None:
        try:
            for _ in range(5):
                client.esearch("rituximab")
        except BaseException as exc:  # noqa: B036 - surfaced by the assertion below
            errors.append(exc)

    threads = [threading.Thread(target=work) for _ in range(8)]
    for t in threads:
        t.start()
    for t in threads:
        t.join(timeout=20)
    assert errors == []
    granted = sorted(client.limiter.granted)  # type: ignore[attr-defined]
    # Retries took their turn at the limiter too: one grant per HTTP attempt.
    assert len(granted) == 44 == client.requests_made == len(router.calls)
    for i in range(len(granted) - 3):
        assert granted[i + 3] - granted[i] >= 1.0  # no four requests inside one second


# -- retries -----------------------------------------------------------------------------


@pytest.mark.parametrize(
    "failure",
    [
        httpx.Response(500),
        httpx.Response(502, text="<html>Bad Gateway</html>"),
        httpx.Response(503),
        httpx.Response(429, content=RATE_JSON, headers={"content-type": "application/json"}),
        httpx.Response(200, content=RATE_JSON),
        httpx.ReadTimeout("read timed out"),
        httpx.ConnectTimeout("connect timed out"),
        httpx.ConnectError("connection refused"),
        httpx.RemoteProtocolError("peer closed connection"),
    ],
    ids=lambda f: f"http{f.status_code}" if isinstance(f, httpx.Response) else type(f).__name__,
)
def test_passing_faults_are_retried(
    router: respx.Router,
    make_client: Callable[..., EutilsClient],
    sleeps: list[float],
    failure: httpx.Response | Exception,
) -> None:
    router.get("esearch.fcgi").mock(
        side_effect=[failure, failure, httpx.Response(200, content=ESEARCH_OK)]
    )
    client = make_client()
    assert client.esearch("rituximab").ids == ["111", "222"]
    assert client.requests_made == 3
    assert len(sleeps) == 2
    assert 1.0 <= sleeps[0] <= 2.0 <= sleeps[1] <= 3.0


def test_backoff_grows_with_jitter_then_gives_up_naming_the_request(
    router: respx.Router, make_client: Callable[..., EutilsClient], sleeps: list[float]
) -> None:
    router.get("esearch.fcgi").respond(500)
    client = make_client(api_key=KEY)
    with pytest.raises(EutilsError) as caught:
        client.esearch("rituximab AND sclerosis", retmax=20)
    assert caught.value.retryable is True
    assert "esearch term='rituximab AND sclerosis'" in str(caught.value)
    assert "retmax=20" in caught.value.request
    assert "6 tries" in str(caught.value) and "HTTP 500" in str(caught.value)
    assert KEY not in str(caught.value)
    assert client.requests_made == 6 == len(router.calls)
    assert len(sleeps) == 5
    for n, wait in enumerate(sleeps):
        assert 2**n <= wait <= 2**n + 1
    assert sleeps == sorted(sleeps)
    assert any(wait != int(wait) for wait in sleeps)  # jittered, not bare powers of two


def test_backoff_is_capped(
    router: respx.Router, make_client: Callable[..., EutilsClient], sleeps: list[float]
) -> None:
    router.get("esearch.fcgi").respond(503)
    with pytest.raises(EutilsError):
        make_client(backoff_max=5.0, max_tries=8).esearch("x")
    assert len(sleeps) == 7
    assert max(sleeps) == 5.0


@pytest.mark.parametrize(
    "header, at_least",
    [("7", 7.0), (format_datetime(NOW + timedelta(seconds=20), usegmt=True), 20.0)],
    ids=["seconds", "http-date"],
)
def test_retry_after_is_honoured(
    router: respx.Router,
    make_client: Callable[..., EutilsClient],
    sleeps: list[float],
    header: str,
    at_least: float,
) -> None:
    router.get("esearch.fcgi").mock(
        side_effect=[
            httpx.Response(429, content=RATE_JSON, headers={"Retry-After": header}),
            httpx.Response(200, content=ESEARCH_OK),
        ]
    )
    make_client().esearch("x")
    assert len(sleeps) == 1
    assert sleeps[0] >= at_least


def test_a_very_long_retry_after_fails_now_as_retryable(
    router: respx.Router, make_client: Callable[..., EutilsClient], sleeps: list[float]
) -> None:
    router.get("esearch.fcgi").respond(503, headers={"Retry-After": "3600"})
    with pytest.raises(EutilsError) as caught:
        make_client().esearch("x")
    assert caught.value.retryable is True
    assert "3600" in str(caught.value)
    assert sleeps == [] and len(router.calls) == 1


def test_retry_after_parsing() -> None:
    assert retry_after_seconds("12", NOW) == 12.0
    assert retry_after_seconds(" 0 ", NOW) == 0.0
    assert retry_after_seconds(format_datetime(NOW - timedelta(seconds=5)), NOW) == 0.0
    assert retry_after_seconds("soon", NOW) is None
    assert retry_after_seconds(None, NOW) is None


@pytest.mark.parametrize("status", [400, 403, 404, 414])
def test_other_client_errors_are_not_retried(
    router: respx.Router, make_client: Callable[..., EutilsClient], sleeps: list[float], status: int
) -> None:
    router.get("esearch.fcgi").respond(status, content=b'{"error":"Invalid query parameter"}')
    with pytest.raises(EutilsError) as caught:
        make_client().esearch("x")
    assert caught.value.retryable is False
    assert f"HTTP {status}" in str(caught.value)
    assert "Invalid query parameter" in str(caught.value)
    assert sleeps == [] and len(router.calls) == 1


def test_a_bad_base_url_is_not_retried(sleeps: list[float]) -> None:
    # A real transport refuses the scheme before any connection is tried.
    settings = EutilsSettings(base_url="ftp://127.0.0.1/", tool="t", email="e@x.org")
    client = EutilsClient(httpx.Client(), settings, limiter=RateLimiter(100), sleep=sleeps.append)
    with pytest.raises(EutilsError) as caught:
        client.esearch("x")
    assert caught.value.retryable is False
    assert sleeps == []


@pytest.mark.parametrize(
    "broken",
    [
        ESEARCH_OK[: len(ESEARCH_OK) // 2],
        b"",
        b"<html><body>Proxy error</body></html>",
        b"<eSearchResult><RetMax>0</RetMax></eSearchResult>",
        b"<eSearchResult><ERROR>Search Backend failed: read request has timed out</ERROR>"
        b"</eSearchResult>",
    ],
    ids=["truncated", "empty", "html", "no-count", "backend-timeout"],
)
def test_broken_esearch_bodies_are_retried(
    router: respx.Router, make_client: Callable[..., EutilsClient], broken: bytes
) -> None:
    router.get("esearch.fcgi").mock(
        side_effect=[httpx.Response(200, content=broken), httpx.Response(200, content=ESEARCH_OK)]
    )
    client = make_client()
    assert client.esearch("x").count == 2
    assert client.requests_made == 2


@pytest.mark.parametrize(
    "broken",
    [EFETCH_OK[:-30], EFETCH_OK[:10], b"", b"<html>Gateway Timeout</html>", RATE_JSON],
    ids=["truncated", "cut-early", "empty", "html", "rate-json"],
)
def test_broken_efetch_bodies_are_retried(
    router: respx.Router, make_client: Callable[..., EutilsClient], broken: bytes
) -> None:
    router.post("efetch.fcgi").mock(
        side_effect=[httpx.Response(200, content=broken), httpx.Response(200, content=EFETCH_OK)]
    )
    client = make_client()
    assert client.efetch_ids(["1"]) == EFETCH_OK
    assert client.requests_made == 2


def test_truncated_real_efetch_is_retried(
    router: respx.Router, make_client: Callable[..., EutilsClient], shared_fixtures: Path
) -> None:
    whole = (shared_fixtures / "pubmed1.xml").read_bytes()
    router.post("efetch.fcgi").mock(
        side_effect=[
            httpx.Response(200, content=whole[: len(whole) * 2 // 3]),
            httpx.Response(200, content=whole),
        ]
    )
    assert make_client().efetch_ids(["12091962", "9997"]) == whole


@pytest.mark.parametrize(
    "body",
    [b"<PubmedArticleSet/>", b"<?xml version='1.0'?><PubmedArticleSet></PubmedArticleSet>  \n"],
)
def test_empty_article_sets_are_answers(
    router: respx.Router, make_client: Callable[..., EutilsClient], body: bytes
) -> None:
    router.post("efetch.fcgi").respond(200, content=body)
    client = make_client()
    assert client.efetch_ids(["37909814"]) == body
    assert client.requests_made == 1


def test_real_empty_efetch_answer_is_accepted(
    router: respx.Router, make_client: Callable[..., EutilsClient], shared_fixtures: Path
) -> None:
    body = (shared_fixtures / "metapub" / "37909814.xml").read_bytes()
    router.post("efetch.fcgi").respond(200, content=body)
    assert make_client().efetch_ids(["37909814"]) == body


# -- errors inside a 200 answer ----------------------------------------------------------


def test_real_history_answer_is_read(
    router: respx.Router, make_client: Callable[..., EutilsClient], shared_fixtures: Path
) -> None:
    router.get("esearch.fcgi").respond(200, content=(shared_fixtures / "esearch2.xml").read_bytes())
    result = make_client().esearch("cancer", retmax=100)
    assert result.count == 42249
    assert len(result.ids) == 100 and result.ids[0] == "41297076"
    assert (result.query_key, result.webenv) == ("1", "MCID_6927d6e7fee3e90f880ec190")
    assert result.warnings == []


@pytest.mark.parametrize(
    "name, message",
    [
        ("Klortho-Eutils-JSON/esearch.baderror.xml", "Invalid db name specified: fleegle"),
        ("epost2.xml", "Invalid db name specified: nothing"),
        ("esummary8.xml", "Neither query_key nor id specified"),
    ],
)
def test_stated_errors_become_query_errors(
    router: respx.Router,
    make_client: Callable[..., EutilsClient],
    shared_fixtures: Path,
    sleeps: list[float],
    name: str,
    message: str,
) -> None:
    router.get("esearch.fcgi").respond(200, content=(shared_fixtures / name).read_bytes())
    with pytest.raises(QueryError) as caught:
        make_client().esearch("x")
    assert message in str(caught.value)
    assert caught.value.retryable is False
    assert sleeps == [] and len(router.calls) == 1


def test_phrase_not_found_with_nothing_found_is_said_aloud(
    router: respx.Router,
    make_client: Callable[..., EutilsClient],
    shared_fixtures: Path,
    caplog: pytest.LogCaptureFixture,
) -> None:
    router.get("esearch.fcgi").respond(200, content=(shared_fixtures / "esearch8.xml").read_bytes())
    with caplog.at_level(logging.WARNING, logger="litwatch"):
        result = make_client().esearch("abcXYZ")
    assert result.count == 0 and result.ids == []
    assert result.warnings == ["PhraseNotFound: abcXYZ", "OutputMessage: No items found."]
    text = caplog.text
    assert "did not recognise" in text and "abcXYZ" in text
    assert "found nothing" in text


def test_phrase_not_found_beside_results_keeps_both(
    router: respx.Router,
    make_client: Callable[..., EutilsClient],
    shared_fixtures: Path,
    caplog: pytest.LogCaptureFixture,
) -> None:
    router.get("esearch.fcgi").respond(
        200, content=(shared_fixtures / "Klortho-Eutils-JSON" / "esearch.error.xml").read_bytes()
    )
    with caplog.at_level(logging.INFO, logger="litwatch"):
        result = make_client().esearch("obstetrics[MeSH Terms] fleegle[MeSH Terms]")
    assert result.count == 5163 and len(result.ids) == 20
    assert result.warnings == ["PhraseNotFound: fleegle[MeSH Terms]"]
    assert "fleegle" in caplog.text
    assert "found nothing" not in caplog.text


def test_field_not_found_and_warnings_are_kept(
    router: respx.Router, make_client: Callable[..., EutilsClient]
) -> None:
    body = (
        b"<eSearchResult><Count>3</Count><RetMax>3</RetMax><RetStart>0</RetStart>"
        b"<IdList><Id>1</Id><Id>2</Id><Id>3</Id></IdList>"
        b"<QueryTranslation>rituximab[All Fields]</QueryTranslation>"
        b"<ErrorList><FieldNotFound>tiabx</FieldNotFound></ErrorList>"
        b'<WarningList><QuotedPhraseNotFound>"ssc rtx"</QuotedPhraseNotFound>'
        b"<PhraseIgnored>the</PhraseIgnored></WarningList></eSearchResult>"
    )
    router.get("esearch.fcgi").respond(200, content=body)
    result = make_client().esearch("rituximab[tiabx]")
    assert result.ids == ["1", "2", "3"]
    assert result.warnings == [
        "FieldNotFound: tiabx",
        'QuotedPhraseNotFound: "ssc rtx"',
        "PhraseIgnored: the",
    ]
    assert (result.webenv, result.query_key) == (None, None)


def test_efetch_stated_errors(
    router: respx.Router, make_client: Callable[..., EutilsClient], sleeps: list[float]
) -> None:
    router.post("efetch.fcgi").respond(
        200, content=b"<eFetchResult><ERROR>Cannot retrieve ids</ERROR></eFetchResult>"
    )
    with pytest.raises(EutilsError) as caught:
        make_client().efetch_ids(["1"])
    assert not isinstance(caught.value, HistoryExpiredError)
    assert "Cannot retrieve ids" in str(caught.value)
    assert caught.value.retryable is False and sleeps == []


# -- the history server --------------------------------------------------------------------


def history(count: int, webenv: str) -> bytes:
    return (
        f"<eSearchResult><Count>{count}</Count><RetMax>0</RetMax><RetStart>0</RetStart>"
        f"<QueryKey>1</QueryKey><WebEnv>{webenv}</WebEnv><IdList/>"
        f"<QueryTranslation>q</QueryTranslation></eSearchResult>"
    ).encode()


def batch(retstart: int) -> bytes:
    return f"<PubmedArticleSet><!-- from {retstart} --></PubmedArticleSet>".encode()


def test_efetch_history_uses_the_session(
    router: respx.Router, make_client: Callable[..., EutilsClient]
) -> None:
    router.get("esearch.fcgi").respond(200, content=ESEARCH_OK)
    route = router.get("efetch.fcgi").respond(200, content=EFETCH_OK)
    client = make_client()
    client.efetch_history(client.esearch("x"), 500, 250)
    params = sent(route.calls.last.request)
    assert params["WebEnv"] == "MCID_w1" and params["query_key"] == "1"
    assert (params["retstart"], params["retmax"], params["retmode"]) == ("500", "250", "xml")


def test_efetch_history_needs_a_session(
    router: respx.Router, make_client: Callable[..., EutilsClient]
) -> None:
    router.get("esearch.fcgi").respond(200, content=history(5, "W").replace(b"W", b""))
    client = make_client()
    with pytest.raises(ValueError):
        client.efetch_history(client.esearch("x", usehistory=False), 0, 5)


@pytest.mark.parametrize(
    "expired",
    [
        httpx.Response(200, content=EXPIRED),
        httpx.Response(400, content=b"<eFetchResult><ERROR>Unable to obtain query #1</ERROR>"
                       b"</eFetchResult>"),
    ],
    ids=["in-200", "in-400"],
)  # fmt: skip
def test_expired_session_is_renewed_and_fetching_resumes(
    router: respx.Router, make_client: Callable[..., EutilsClient], expired: httpx.Response
) -> None:
    searches = router.get("esearch.fcgi").mock(
        side_effect=[
            httpx.Response(200, content=history(1200, "W1")),
            httpx.Response(200, content=history(1200, "W2")),
        ]
    )
    fetched: list[tuple[str, str]] = []

    def efetch(request: httpx.Request) -> httpx.Response:
        params = sent(request)
        fetched.append((params["WebEnv"], params["retstart"]))
        if params["WebEnv"] == "W1" and params["retstart"] == "500":
            return expired
        return httpx.Response(200, content=batch(int(params["retstart"])))

    router.get("efetch.fcgi").mock(side_effect=efetch)
    client = make_client()
    first = client.esearch(
        "(ssc) AND 2026/01/01:2026/01/31[crdt]",
        datetype="mdat",
        mindate=date(2026, 1, 1),
        maxdate=date(2026, 1, 31),
        retmax=0,
    )

    got = list(client.iter_history_batches(first, batch_size=500))

    assert [start for start, _ in got] == [0, 500, 1000]
    assert [xml for _, xml in got] == [batch(0), batch(500), batch(1000)]
    assert fetched == [("W1", "0"), ("W1", "500"), ("W2", "500"), ("W2", "1000")]
    again = sent(searches.calls[1].request)
    original = sent(searches.calls[0].request)
    for key in ("term", "datetype", "mindate", "maxdate", "usehistory"):
        assert again[key] == original[key]


def test_a_session_that_dies_again_at_once_is_an_error(
    router: respx.Router, make_client: Callable[..., EutilsClient]
) -> None:
    router.get("esearch.fcgi").respond(200, content=history(900, "W"))
    router.get("efetch.fcgi").mock(
        side_effect=lambda request: httpx.Response(
            200, content=EXPIRED if sent(request)["retstart"] == "300" else batch(0)
        )
    )
    client = make_client()
    batches = client.iter_history_batches(client.esearch("x"), batch_size=300)
    assert next(batches)[0] == 0
    with pytest.raises(HistoryExpiredError):
        next(batches)
    assert len(router.calls) == 5  # search, fetch, fetch (gone), search again, fetch (gone)


def test_history_batches_start_where_asked(
    router: respx.Router, make_client: Callable[..., EutilsClient]
) -> None:
    router.get("esearch.fcgi").respond(200, content=history(1000, "W"))
    router.get("efetch.fcgi").mock(
        side_effect=lambda request: httpx.Response(
            200, content=batch(int(sent(request)["retstart"]))
        )
    )
    client = make_client(batch_size=400)
    starts = [s for s, _ in client.iter_history_batches(client.esearch("x"), start=400)]
    assert starts == [400, 800]
