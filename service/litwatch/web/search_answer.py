"""What a search answers a person: its outcome, or the status and message that say why not.

The search page, the JSON API and the background live searches (``live_jobs``) all answer
through here, so every failure a person can meet reads the same everywhere.
"""

from __future__ import annotations

import logging
from dataclasses import dataclass

from litwatch.context import Context
from litwatch.errors import ConfigError, EutilsError, QueryError, SearchQueryError
from litwatch.jobs.live_search import Progress
from litwatch.web.page_data import (
    InputError,
    SearchOutcome,
    SearchParams,
    parse_params,
    run_search,
)

log = logging.getLogger(__name__)


@dataclass
class SearchAnswer:
    """A search's outcome, or the HTTP status and message that say why it could not run."""

    outcome: SearchOutcome
    status: int = 200
    error: str = ""


def answer_search(
    ctx: Context, q: str | None, local: str | None, since: str | None, limit: str | None
) -> SearchAnswer:
    """Run a search from query-string text; every failure a person can meet becomes a message."""
    try:
        params = parse_params(q, local, since, limit)
    except InputError as exc:
        typed = SearchParams(query=(q or "").strip(), local=bool(local))
        return SearchAnswer(SearchOutcome(typed), 422, str(exc))
    return answer_params(ctx, params)


def answer_params(
    ctx: Context, params: SearchParams, progress: Progress | None = None
) -> SearchAnswer:
    """Run a search of checked parameters; every failure a person can meet becomes a message."""
    try:
        return SearchAnswer(run_search(ctx, params, progress))
    except QueryError as exc:
        return SearchAnswer(SearchOutcome(params), 400, f"PubMed cannot run this query: {exc}")
    except SearchQueryError as exc:
        return SearchAnswer(SearchOutcome(params), 422, f"Cannot search the store: {exc}")
    except EutilsError as exc:
        log.warning("live search failed: %s", exc)
        return SearchAnswer(SearchOutcome(params), 502, f"PubMed could not be reached: {exc}")
    except ConfigError as exc:
        return SearchAnswer(SearchOutcome(params), 503, str(exc))
