"""``GET /feeds/NAME.atom``: a saved search's core and related articles as an Atom feed.

Feed readers cannot log in, so each feed's link carries a token of its own: an HMAC of the
search's name under the secret key (``LITWATCH_SECRET_KEY``). The link works without a login
and reads that one feed only; changing the secret key changes every feed link. Without the
token the feed is open as the pages are (public read, or a logged-in browser).
"""

from __future__ import annotations

import hashlib
import hmac
from datetime import datetime
from urllib.parse import quote

from fastapi import APIRouter, Request
from fastapi.responses import Response
from sqlmodel import Session

from litwatch.context import Context
from litwatch.export.atom import CONTENT_TYPE, FeedEntry, atom_feed, judgement_summary
from litwatch.export.rows import ExportRow
from litwatch.pubmed.markup import to_plain
from litwatch.records import Classification
from litwatch.store.articles import article_record
from litwatch.store.exports import feed_articles
from litwatch.store.notices import with_known_notices
from litwatch.store.searches import find_search
from litwatch.web.auth import logged_in
from litwatch.web.responses import context_of, error_page

router = APIRouter()

FEED_RELEVANCES = ("core", "related")
FEED_LIMIT = 100


def feed_token(secret_key: str, name: str) -> str:
    """The token of one search's feed link."""
    digest = hmac.new(secret_key.encode(), f"feed:{name}".encode(), hashlib.sha256)
    return digest.hexdigest()[:32]


def feed_path(ctx: Context, name: str) -> str:
    """The feed's path with its token, as shown on the saved search's page."""
    return f"/feeds/{quote(name)}.atom?token={feed_token(ctx.secret_key, name)}"


def _entries(ctx: Context, name: str) -> list[FeedEntry]:
    base = ctx.settings.base_url.rstrip("/")
    entries = []
    with Session(ctx.engine) as session:
        found = feed_articles(session, name, FEED_RELEVANCES, FEED_LIMIT)
        records = with_known_notices(session, [article_record(a) for a, _, _ in found])
    for record, (_, c_row, seen) in zip(records, found, strict=True):
        row = ExportRow(record, Classification.from_dict(c_row.data), [name], seen)
        judged = c_row.classified_at
        entries.append(
            FeedEntry(
                entry_id=f"{base}/article/{record.pmid}",
                title=("[RETRACTED] " if record.retracted else "") + to_plain(record.title),
                link=f"{base}/article/{record.pmid}",
                updated=max(seen, judged) if judged else seen,
                published=seen,
                summary=judgement_summary(row),
                authors=[to_plain(a.display) for a in record.authors[:3] if a.display],
            )
        )
    return entries


@router.get("/feeds/{name}.atom")
def search_feed(request: Request, name: str, token: str | None = None) -> Response:
    """The feed of saved search ``name``: its core and related articles, newest found first."""
    ctx = context_of(request)
    right = hmac.compare_digest((token or "").encode(), feed_token(ctx.secret_key, name).encode())
    if not right and not (ctx.settings.web_public_read or logged_in(request)):
        return error_page(
            request,
            403,
            "This feed link is not valid",
            "A feed is read with the link on its saved search's page, which carries a token.",
        )
    with Session(ctx.engine) as session:
        search = find_search(session, name)
    if search is None:
        return error_page(request, 404, "Feed not found", f"There is no saved search {name!r}.")
    entries = _entries(ctx, name)
    base = ctx.settings.base_url.rstrip("/")
    updated = max((e.updated for e in entries), default=search.created_at or ctx.now())
    body = atom_feed(
        feed_id=f"{base}/feeds/{quote(name)}.atom",
        title=f"litwatch: {name}",
        self_url=base + feed_path(ctx, name) if right else f"{base}/feeds/{quote(name)}.atom",
        page_url=f"{base}/searches/{quote(name)}",
        updated=updated if isinstance(updated, datetime) else ctx.now(),
        entries=entries,
    )
    return Response(body, media_type=CONTENT_TYPE)
