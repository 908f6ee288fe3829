"""Splitting date windows past esearch's 9,999-id ceiling, against a respx PubMed."""

from __future__ import annotations

import re
from collections.abc import Callable
from datetime import date, datetime, timedelta

import httpx
import pytest
import respx

from litwatch.errors import EutilsError
from litwatch.eutils.answers import SearchResult
from litwatch.eutils.client import EutilsClient
from litwatch.eutils.date_slices import ESEARCH_MAX_IDS, collect_ids, crdt_term
from litwatch.eutils.ratelimit import RateLimiter
from litwatch.eutils.settings import EutilsSettings

BASE = "http://127.0.0.1:9/entrez/eutils/"
RANGE = re.compile(r"(\d{4}/\d{2}/\d{2}):(\d{4}/\d{2}/\d{2})\[crdt\]")
SHARED_PMID = "99999999"  # a record both days claim, as happens when a create date is fixed


def day(text: str) -> date:
    return datetime.strptime(text, "%Y/%m/%d").date()


class FakePubMed:
    """esearch over a corpus of PMIDs by day, honouring the 9,999-id ceiling."""

    def __init__(self, per_day: dict[date, int]) -> None:
        self.days: dict[date, list[str]] = {
            d: [f"{d.toordinal()}{i:05d}" for i in range(n)] for d, n in per_day.items()
        }
        self.windows: list[tuple[date, date]] = []

    def __call__(self, request: httpx.Request) -> httpx.Response:
        params = request.url.params
        if params.get("datetype") == "mdat":
            lo, hi = day(params["mindate"]), day(params["maxdate"])
        else:
            match = RANGE.search(params["term"])
            assert match, params["term"]
            lo, hi = day(match[1]), day(match[2])
        self.windows.append((lo, hi))
        ids = [pmid for d in sorted(self.days) if lo <= d <= hi for pmid in self.days[d]]
        shown = ids[: min(int(params["retmax"]), ESEARCH_MAX_IDS)]
        id_list = "".join(f"<Id>{pmid}</Id>" for pmid in shown)
        body = (
            f"<eSearchResult><Count>{len(ids)}</Count><RetMax>{len(shown)}</RetMax>"
            f"<RetStart>0</RetStart><QueryKey>1</QueryKey><WebEnv>W{len(self.windows)}</WebEnv>"
            f"<IdList>{id_list}</IdList><QueryTranslation>q</QueryTranslation></eSearchResult>"
        )
        return httpx.Response(200, content=body.encode())


Connect = Callable[[FakePubMed], tuple[EutilsClient, respx.Router]]


@pytest.fixture
def connect() -> Connect:
    def make(pubmed: FakePubMed) -> tuple[EutilsClient, respx.Router]:
        router = respx.Router(base_url=BASE)
        router.get("esearch.fcgi").mock(side_effect=pubmed)
        http = httpx.Client(transport=httpx.MockTransport(router.handler))
        settings = EutilsSettings(base_url=BASE, tool="litwatch", email="team@example.org")
        # A generous limiter: these tests are about splitting, not pacing.
        client = EutilsClient(http, settings, limiter=RateLimiter(10_000), sleep=lambda s: None)
        return client, router

    return make


def days(start: date, n: int, each: int) -> dict[date, int]:
    return {start + timedelta(days=i): each for i in range(n)}


def test_crdt_term() -> None:
    assert crdt_term("rituximab AND ssc", date(2026, 11, 17), date(2026, 11, 24)) == (
        "(rituximab AND ssc) AND 2026/11/17:2026/11/24[crdt]"
    )


def test_a_window_that_fits_costs_one_request(connect: Connect) -> None:
    pubmed = FakePubMed(days(date(2026, 11, 17), 8, 40))
    client, router = connect(pubmed)
    result = collect_ids(client, "rituximab", date(2026, 11, 17), date(2026, 11, 24))
    assert result.requests == 1 == len(router.calls) == client.requests_made
    assert len(result.ids) == result.count == 320
    assert [s.webenv for s in result.slices] == ["W1"]
    params = router.calls.last.request.url.params
    assert params["term"] == "(rituximab) AND 2026/11/17:2026/11/24[crdt]"
    assert params["retmax"] == str(ESEARCH_MAX_IDS)
    assert params["usehistory"] == "y"
    assert "datetype" not in params


def test_a_large_window_is_bisected_until_every_slice_fits(connect: Connect) -> None:
    start = date(2026, 1, 1)
    pubmed = FakePubMed(days(start, 31, 800))  # 24,800 records in January
    pubmed.days[date(2026, 1, 1)].append(SHARED_PMID)
    pubmed.days[date(2026, 1, 31)].append(SHARED_PMID)
    client, router = connect(pubmed)
    seen: list[SearchResult] = []

    result = collect_ids(client, "q", start, date(2026, 1, 31), on_slice=seen.append)

    every = [pmid for d in sorted(pubmed.days) for pmid in pubmed.days[d]]
    assert len(result.ids) == len(set(result.ids)) == len(set(every)) == 24_801
    assert result.ids == list(dict.fromkeys(every))  # oldest slice first, order kept
    assert result.count == 24_802  # the sum of slice counts, the shared record twice
    assert all(s.count <= ESEARCH_MAX_IDS for s in result.slices)
    assert seen == result.slices and len(seen) >= 3
    assert result.requests == len(router.calls) == len(pubmed.windows)
    # The slices tile the window, oldest first: no day left out, none listed twice.
    tiles = [RANGE.search(s.term) for s in result.slices]
    bounds = [(day(m[1]), day(m[2])) for m in tiles if m]
    assert bounds[0][0] == start and bounds[-1][1] == date(2026, 1, 31)
    for (_, prev_hi), (lo, _) in zip(bounds, bounds[1:], strict=False):
        assert lo == prev_hi + timedelta(days=1)


def test_mdat_windows_use_datetype_and_the_plain_query(connect: Connect) -> None:
    start = date(2026, 3, 1)
    pubmed = FakePubMed(days(start, 4, 6000))
    client, router = connect(pubmed)
    result = collect_ids(client, "rituximab", start, date(2026, 3, 4), by="mdat")
    assert len(result.ids) == 24_000
    assert pubmed.windows == [
        (date(2026, 3, 1), date(2026, 3, 4)),
        (date(2026, 3, 1), date(2026, 3, 2)),
        (date(2026, 3, 1), date(2026, 3, 1)),
        (date(2026, 3, 2), date(2026, 3, 2)),
        (date(2026, 3, 3), date(2026, 3, 4)),
        (date(2026, 3, 3), date(2026, 3, 3)),
        (date(2026, 3, 4), date(2026, 3, 4)),
    ]
    for call in router.calls:
        assert call.request.url.params["term"] == "rituximab"
        assert call.request.url.params["datetype"] == "mdat"
    assert result.requests == 7


def test_one_day_over_the_ceiling_cannot_be_split(connect: Connect) -> None:
    pubmed = FakePubMed({date(2026, 5, 1): 100, date(2026, 5, 2): 12_000})
    client, _ = connect(pubmed)
    with pytest.raises(EutilsError) as caught:
        collect_ids(client, "q", date(2026, 5, 1), date(2026, 5, 2))
    message = str(caught.value)
    assert "12000" in message and "2026/05/02" in message and "cannot be split" in message


def test_an_empty_window_still_answers(connect: Connect) -> None:
    client, _ = connect(FakePubMed({}))
    result = collect_ids(client, "q", date(2026, 5, 1), date(2026, 5, 1))
    assert (result.ids, result.count, result.requests, len(result.slices)) == ([], 0, 1, 1)


def test_a_backwards_window_is_refused(connect: Connect) -> None:
    client, _ = connect(FakePubMed({}))
    with pytest.raises(ValueError):
        collect_ids(client, "q", date(2026, 5, 2), date(2026, 5, 1))
