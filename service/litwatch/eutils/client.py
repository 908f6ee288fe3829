"""The E-utilities client: esearch and efetch for PubMed, politely.

Every request carries ``tool``, ``email`` and ``api_key`` (when set), holds a slot of the
rate limit (``ratelimit``) from before it is sent until its answer is read, and is retried
with jittered exponential backoff on timeouts, dropped connections, 429, 5xx and bodies that
arrived broken, honouring ``Retry-After``.
Anything else ends in one :class:`~litwatch.errors.EutilsError` that names the request.
"""

from __future__ import annotations

import dataclasses
import logging
import threading
import time
from collections.abc import Callable, Iterator, Sequence
from datetime import UTC, date, datetime
from typing import Any, TypeVar

import httpx
from tenacity import RetryError

from litwatch.errors import EutilsError, HistoryExpiredError
from litwatch.eutils.answers import (
    GarbledAnswer,
    SearchResult,
    check_efetch,
    is_expired_history_text,
    parse_esearch,
    stated_error_text,
)
from litwatch.eutils.ratelimit import RateLimiter, shared_limiter
from litwatch.eutils.retry import (
    Transient,
    describe_request,
    make_retrying,
    retry_after_seconds,
)
from litwatch.eutils.settings import EutilsSettings

__all__ = ["EutilsClient", "SearchResult"]

log = logging.getLogger(__name__)

T = TypeVar("T")

# Above this many characters a GET URL risks being refused, so the term goes in a POST body.
LONG_TERM = 1500


class EutilsClient:
    """esearch and efetch against one E-utilities base URL, through a shared rate limit."""

    def __init__(
        self,
        http: httpx.Client,
        settings: EutilsSettings,
        *,
        limiter: RateLimiter | None = None,
        sleep: Callable[[float], None] = time.sleep,
        now: Callable[[], datetime] = lambda: datetime.now(UTC),
    ) -> None:
        self.http = http
        self.settings = settings
        self.limiter = limiter or shared_limiter(settings.requests_per_second)
        # This process's counts, for /metrics: requests sent, answered 429, tried again.
        self.requests_made = 0
        self.throttled = 0  # answers of 429
        self.retries_made = 0  # requests tried again after a passing fault
        self._sleep = sleep
        self._now = now
        self._base = (
            settings.base_url if settings.base_url.endswith("/") else settings.base_url + "/"
        )
        self._count_lock = threading.Lock()

    # -- public requests ---------------------------------------------------------------

    def esearch(
        self,
        term: str,
        *,
        datetype: str | None = None,
        mindate: date | None = None,
        maxdate: date | None = None,
        retstart: int = 0,
        retmax: int = 0,
        usehistory: bool = True,
        sort: str | None = None,
    ) -> SearchResult:
        """Run one PubMed search; with ``usehistory`` the result set stays on NCBI's side."""
        if (mindate is None) != (maxdate is None):
            raise ValueError("E-utilities needs mindate and maxdate together")
        params: dict[str, Any] = {
            "term": term,
            "retmode": "xml",
            "retstart": retstart,
            "retmax": retmax,
        }
        if usehistory:
            params["usehistory"] = "y"
        if datetype:
            params["datetype"] = datetype
        if mindate is not None and maxdate is not None:
            params["mindate"] = f"{mindate:%Y/%m/%d}"
            params["maxdate"] = f"{maxdate:%Y/%m/%d}"
        if sort:
            params["sort"] = sort
        request = describe_request("esearch.fcgi", params)
        result = self._call(
            "esearch.fcgi",
            params,
            post=len(term) > LONG_TERM,
            read=lambda body: parse_esearch(body, term=term, request=request),
        )
        return dataclasses.replace(
            result, datetype=datetype, mindate=mindate, maxdate=maxdate, sort=sort
        )

    def efetch_history(self, result: SearchResult, retstart: int, retmax: int) -> bytes:
        """PubMed XML for one slice of a search kept on the history server."""
        if not result.webenv or not result.query_key:
            raise ValueError(f"search {result.term!r} was run without usehistory")
        params = {
            "query_key": result.query_key,
            "WebEnv": result.webenv,
            "retstart": retstart,
            "retmax": retmax,
            "retmode": "xml",
        }
        return self._fetch(params, post=False)

    def efetch_ids(self, pmids: Sequence[str]) -> bytes:
        """PubMed XML for these PMIDs, sent as a form body so long lists fit."""
        if not pmids:
            raise ValueError("efetch_ids needs at least one PMID")
        return self._fetch({"id": ",".join(pmids), "retmode": "xml"}, post=True)

    def iter_history_batches(
        self, result: SearchResult, *, batch_size: int | None = None, start: int = 0
    ) -> Iterator[tuple[int, bytes]]:
        """Yield ``(retstart, xml)`` over the whole result set, renewing an expired session.

        When the WebEnv has gone, the same search is run again and fetching resumes at the
        batch that failed, so no batch is skipped or yielded twice.
        """
        size = batch_size or self.settings.batch_size
        current = result
        retstart = start
        renewed_at: int | None = None
        while retstart < current.count:
            try:
                xml = self.efetch_history(current, retstart, size)
            except HistoryExpiredError:
                if renewed_at == retstart:
                    raise  # a brand-new session failed at once: renewing again will not help
                renewed_at = retstart
                current = self._renew(current, retstart)
                continue
            yield retstart, xml
            retstart += size

    def iter_id_batches(
        self, pmids: Sequence[str], *, batch_size: int | None = None
    ) -> Iterator[tuple[list[str], bytes]]:
        """Yield ``(pmids, xml)`` for successive batches of the given PMIDs."""
        size = batch_size or self.settings.batch_size
        for i in range(0, len(pmids), size):
            chunk = list(pmids[i : i + size])
            yield chunk, self.efetch_ids(chunk)

    # -- plumbing ----------------------------------------------------------------------

    def _renew(self, old: SearchResult, retstart: int) -> SearchResult:
        log.info(
            "history session for %r expired at retstart %d; searching again", old.term, retstart
        )
        fresh = self.esearch(
            old.term,
            datetype=old.datetype,
            mindate=old.mindate,
            maxdate=old.maxdate,
            sort=old.sort,
            retmax=0,
            usehistory=True,
        )
        if fresh.count != old.count:
            log.warning(
                "search %r now finds %d records, not %d; resuming at %d anyway",
                old.term,
                fresh.count,
                old.count,
                retstart,
            )
        return fresh

    def _fetch(self, params: dict[str, Any], *, post: bool) -> bytes:
        request = describe_request("efetch.fcgi", params)

        def read(body: bytes) -> bytes:
            check_efetch(body, request=request)
            return body

        return self._call("efetch.fcgi", params, post=post, read=read)

    def _call(
        self,
        endpoint: str,
        params: dict[str, Any],
        *,
        post: bool,
        read: Callable[[bytes], T],
    ) -> T:
        request = describe_request(endpoint, params)
        retrying = make_retrying(
            max_tries=self.settings.max_tries,
            backoff_max=self.settings.backoff_max,
            sleep=self._sleep,
            request=request,
            on_retry=self._count_retry,
        )
        try:
            return retrying(self._attempt, endpoint, params, post, read, request)
        except RetryError as exc:
            cause = exc.last_attempt.exception()
            raise EutilsError(
                f"no answer after {self.settings.max_tries} tries, last: {cause}",
                request=request,
                retryable=True,
            ) from cause

    def _count_retry(self) -> None:
        with self._count_lock:
            self.retries_made += 1

    def _attempt(
        self,
        endpoint: str,
        params: dict[str, Any],
        post: bool,
        read: Callable[[bytes], T],
        request: str,
    ) -> T:
        full = {"db": "pubmed", **params, "tool": self.settings.tool, "email": self.settings.email}
        if self.settings.api_key:
            full["api_key"] = self.settings.api_key
        url = self._base + endpoint
        try:
            # The slot is held until the answer is in: the limit counts from answers, not grants.
            with self.limiter.slot():
                with self._count_lock:
                    self.requests_made += 1
                if post:
                    response = self.http.post(url, data=full, timeout=self.settings.timeout)
                else:
                    response = self.http.get(url, params=full, timeout=self.settings.timeout)
        except httpx.TimeoutException as exc:
            raise Transient(f"timed out ({type(exc).__name__})") from exc
        except (httpx.NetworkError, httpx.RemoteProtocolError, httpx.ProxyError) as exc:
            raise Transient(f"connection failed ({type(exc).__name__}: {exc})") from exc
        except httpx.TransportError as exc:
            raise EutilsError(f"cannot send request: {exc}", request=request) from exc

        status = response.status_code
        if status == 429:
            with self._count_lock:
                self.throttled += 1
        if status == 429 or status >= 500:
            wait = retry_after_seconds(response.headers.get("Retry-After"), self._now())
            if wait is not None and wait > self.settings.backoff_max:
                # Blocking a worker this long helps nobody; the next poll will try again.
                raise EutilsError(
                    f"HTTP {status}, NCBI asks to wait {wait:.0f} s",
                    request=request,
                    retryable=True,
                )
            raise Transient(f"HTTP {status}", retry_after=wait)
        if status != 200:
            text = stated_error_text(response.content)
            if endpoint == "efetch.fcgi" and is_expired_history_text(text):
                raise HistoryExpiredError(f"history session is gone: {text}", request=request)
            raise EutilsError(f"HTTP {status}: {text}", request=request, retryable=False)
        try:
            return read(response.content)
        except GarbledAnswer as exc:
            raise Transient(str(exc)) from exc
