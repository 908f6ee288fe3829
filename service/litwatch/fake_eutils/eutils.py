"""What a fake E-utilities service answers: esearch, efetch, history sessions, rate limits, faults.

``FakeEutils.handle`` turns one request (method, path, parameters, client address) into a
``Reply``; ``litwatch.fake_eutils.server`` puts it on the wire. Tests may change the fault
attributes (``error_rate``, ``throttle_rate``, ``slow_ms``, ``truncate_rate``) at any time.
"""

from __future__ import annotations

import math
import random
import threading
import time
from collections import deque
from collections.abc import Callable
from datetime import date, timedelta

from litwatch.fake_eutils import answers
from litwatch.fake_eutils.answers import LoggedRequest, Reply
from litwatch.fake_eutils.corpus import Corpus
from litwatch.fake_eutils.query import (
    BoolOp,
    DateRange,
    QuerySyntax,
    parse,
    parse_date_range,
    translate,
)

ESEARCH_CAP = 9_999  # PubMed's esearch hands out ids only below this index
EFETCH_MAX = 10_000  # efetch's largest retmax
_DATETYPES = {"edat": "edat", "mdat": "mdat", "pdat": "dp", "crdt": "crdt"}
_XML = "text/xml; charset=UTF-8"


class FakeEutils:
    """A PubMed E-utilities service over a ``Corpus``, with NCBI's limits and optional faults."""

    def __init__(
        self,
        corpus: Corpus,
        *,
        rate_limit: bool = True,
        limit_without_key: int = 3,
        limit_with_key: int = 10,
        require_identity: bool = True,
        error_rate: float = 0.0,
        throttle_rate: float = 0.0,
        slow_ms: int = 0,
        truncate_rate: float = 0.0,
        seed: int = 0,
        esearch_cap: int = ESEARCH_CAP,
        clock: Callable[[], float] = time.monotonic,
        today: Callable[[], date] = date.today,
    ) -> None:
        self.corpus = corpus
        self.rate_limit = rate_limit
        self.limit_without_key = limit_without_key
        self.limit_with_key = limit_with_key
        self.require_identity = require_identity
        self.error_rate = error_rate  # share of answers replaced by a 5xx
        self.throttle_rate = throttle_rate  # share of answers replaced by a 429
        self.slow_ms = slow_ms
        self.truncate_rate = truncate_rate
        self.esearch_cap = esearch_cap  # lower it to try the cap on a small corpus
        self.clock = clock
        self.today = today
        self._rng = random.Random(seed)
        self._lock = threading.Lock()
        self._log: list[LoggedRequest] = []
        self._windows: dict[str, deque[float]] = {}
        self._sessions: dict[str, list[list[str]]] = {}
        self._fail_queue: deque[int] = deque()
        self._webenv_serial = 0

    # --- what tests read and steer -----------------------------------------------------------

    @property
    def requests(self) -> list[LoggedRequest]:
        """A copy of the request log, oldest first."""
        with self._lock:
            return list(self._log)

    def reset_log(self) -> None:
        with self._lock:
            self._log.clear()

    @property
    def identities(self) -> set[tuple[str, str]]:
        """Every (tool, email) pair seen so far."""
        with self._lock:
            return {
                (r.params.get("tool", ""), r.params.get("email", ""))
                for r in self._log
                if r.path in ("esearch.fcgi", "efetch.fcgi")
            }

    def expire_sessions(self) -> None:
        """Forget every WebEnv, as NCBI does after some hours."""
        with self._lock:
            self._sessions.clear()

    def fail_next(self, n: int, status: int = 503) -> None:
        """Answer the next ``n`` requests with HTTP ``status`` (429 or a 5xx)."""
        with self._lock:
            self._fail_queue.extend([status] * n)

    # --- the request path --------------------------------------------------------------------

    def handle(self, method: str, path: str, params: dict[str, str], client: str) -> Reply:
        """Answer one request; the log records it with the status sent."""
        name = path.rstrip("/").rsplit("/", 1)[-1]
        entry = LoggedRequest(method, name, dict(params), client, arrived=self.clock())
        with self._lock:
            self._log.append(entry)
        reply = self._answer(name, params, client)
        entry.status = reply.status
        return reply

    def _answer(self, name: str, params: dict[str, str], client: str) -> Reply:
        with self._lock:
            forced = self._fail_queue.popleft() if self._fail_queue else None
        if forced is not None:
            return self._fault(forced, params.get("api_key") or client)
        if name not in ("esearch.fcgi", "efetch.fcgi"):
            return Reply(404, b"Not Found", {"Content-Type": "text/plain"})
        if self.require_identity and not (params.get("tool") and params.get("email")):
            body = b'{"error":"tool and email parameters are required by this server"}'
            return Reply(400, body, {"Content-Type": "application/json"})
        key = params.get("api_key", "")
        limit = self.limit_with_key if key else self.limit_without_key
        if self.rate_limit:
            throttled = self._throttle(key or client, limit)
            if throttled is not None:
                return throttled
        with self._lock:  # one lock for the dice keeps a seeded run reproducible
            roll = self._rng.random()
            truncate = self._rng.random() < self.truncate_rate
            server_error = self._rng.choice((500, 502, 503))
        if roll < self.throttle_rate:
            return self._fault(429, key or client)
        if roll < self.throttle_rate + self.error_rate:
            return self._fault(server_error, key or client)
        if self.slow_ms:
            time.sleep(self.slow_ms / 1000)
        reply = self.esearch(params) if name == "esearch.fcgi" else self.efetch(params)
        reply.headers.setdefault("Content-Type", _XML)
        reply.headers["X-RateLimit-Limit"] = str(limit)
        reply.truncate = truncate
        return reply

    def _throttle(self, who: str, limit: int) -> Reply | None:
        now = self.clock()
        with self._lock:
            window = self._windows.setdefault(who, deque())
            while window and now - window[0] >= 1.0:
                window.popleft()
            if len(window) < limit:
                window.append(now)
                return None
            wait = max(1, math.ceil(1.0 - (now - window[0])))
            count = len(window) + 1
        body = answers.rate_limited(who, count, limit)
        headers = {
            "Content-Type": "application/json",
            "Retry-After": str(wait),
            "X-RateLimit-Limit": str(limit),
            "X-RateLimit-Remaining": "0",
        }
        return Reply(429, body, headers)

    def _fault(self, status: int, who: str) -> Reply:
        if status == 429:
            limit = self.limit_without_key
            headers = {"Content-Type": "application/json", "Retry-After": "1"}
            return Reply(429, answers.rate_limited(who, limit + 1, limit), headers)
        return Reply(status, answers.server_error(status), {"Content-Type": "text/html"})

    # --- esearch -----------------------------------------------------------------------------

    def esearch(self, p: dict[str, str]) -> Reply:
        """Search the corpus; keep the result on the history server when asked."""
        as_json = p.get("retmode", "xml").lower() == "json"
        render = answers.esearch_json if as_json else answers.esearch_xml
        headers = {"Content-Type": "application/json; charset=UTF-8"} if as_json else {}

        def error(message: str) -> Reply:
            return Reply(200, render(error=message, only_error=True), headers)

        db = p.get("db", "pubmed")
        if db != "pubmed":
            return error(f"Invalid db name specified: {db}")
        term = p.get("term", "").strip()
        if not term:
            return error("No search term given (term is empty)")
        try:
            retstart = int(p.get("retstart", "0") or 0)
            retmax = int(p.get("retmax", "20") or 20)
            node = parse(term)
            query = translate(node)
            window = self._date_window(p)
        except (ValueError, QuerySyntax) as exc:
            return error(f"Invalid query: {exc}")
        if window is not None:
            node = BoolOp("AND", node, window)
            query = f"({query}) AND {translate(window)}"
        ids = self.corpus.search(node, sort=p.get("sort", ""))
        cap = self.esearch_cap
        end = retstart + max(retmax, 0)
        cap_error = None
        if end > cap:
            end = cap
            cap_error = (
                f"Search Backend failed: the search backend cannot return more than "
                f"{cap:,} UIDs for one query (retstart={retstart}, retmax={retmax}); "
                "narrow the query, for example by date, to reach the rest"
            )
        page = ids[retstart:end] if retstart < cap else []
        webenv = query_key = None
        if p.get("usehistory", "").lower() == "y":
            webenv, query_key = self._remember(p.get("WebEnv", ""), ids[:cap])
        not_found = [t.text for t in self.corpus.unmatched_terms(node)]
        body = render(
            count=len(ids),
            retstart=retstart,
            ids=page,
            query_key=query_key,
            webenv=webenv,
            translation=query,
            not_found=not_found,
            warnings=["No items found."] if not ids else [],
            error=cap_error,
        )
        return Reply(200, body, headers)

    def _date_window(self, p: dict[str, str]) -> DateRange | None:
        """The datetype/mindate/maxdate (or reldate) filter; NCBI ignores half a range."""
        field_name = _DATETYPES.get(p.get("datetype", "edat").lower())
        if field_name is None:
            raise QuerySyntax(f"unknown datetype {p.get('datetype')!r}")
        if p.get("reldate"):
            end = self.today()
            start = end - timedelta(days=int(p["reldate"]))
            return DateRange(field_name, start, end)
        if p.get("mindate") and p.get("maxdate"):
            whole = f"{p['mindate']}:{p['maxdate']}"
            return parse_date_range(whole, field_name)
        return None

    def _remember(self, webenv: str, ids: list[str]) -> tuple[str, int]:
        with self._lock:
            if webenv not in self._sessions:
                self._webenv_serial += 1
                webenv = f"MCID_{self._rng.getrandbits(64):016x}{self._webenv_serial:08x}"
                self._sessions[webenv] = []
            self._sessions[webenv].append(ids)
            return webenv, len(self._sessions[webenv])

    # --- efetch ------------------------------------------------------------------------------

    def efetch(self, p: dict[str, str]) -> Reply:
        """Stored records verbatim, by id list or by WebEnv + query_key."""
        db = p.get("db", "pubmed")
        if db != "pubmed":
            return Reply(200, answers.efetch_error(f"Invalid db name specified: {db}"))
        if p.get("retmode", "xml").lower() != "xml":
            return Reply(200, answers.efetch_error("This server answers retmode=xml only"))
        if p.get("id", "").strip():
            ids = [i.strip() for i in p["id"].split(",") if i.strip()]
        elif p.get("query_key") or p.get("WebEnv"):
            qk = p.get("query_key", "1")
            with self._lock:
                session = self._sessions.get(p.get("WebEnv", ""))
            if not qk.isdigit() or session is None or not 1 <= int(qk) <= len(session):
                return Reply(200, answers.efetch_error(f"Unable to obtain query #{qk}"))
            try:
                retstart = int(p.get("retstart", "0") or 0)
                retmax = min(int(p.get("retmax", "20") or 20), EFETCH_MAX)
            except ValueError:
                return Reply(200, answers.efetch_error("retstart and retmax must be integers"))
            ids = session[int(qk) - 1][retstart : retstart + max(retmax, 0)]
        else:
            return Reply(200, answers.efetch_error("Empty id list - nothing to fetch"))
        records, deleted = [], []
        for pmid in ids:
            rec = self.corpus.get(pmid)
            if rec is not None:
                records.append(rec.xml)
            elif self.corpus.is_deleted(pmid):
                deleted.append(pmid)
        return Reply(200, answers.article_set(records, deleted))
