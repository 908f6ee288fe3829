"""Digests in the database: the articles a subscriber got, recorded digests, their sending.

A digest row and its items are written in one transaction. The unique key on
(subscriber, pmid, kind) of ``digest_item`` is what guarantees that an article is never in two
digests for one subscriber, and that a retraction or erratum is announced once; a digest that
runs into it raises ``DigestCollision``.

Sending claims a digest with a compare-and-set UPDATE (on PostgreSQL the candidate is picked
with FOR UPDATE SKIP LOCKED), so two workers never send the same one. Every function takes a
``Session``; the caller commits.
"""

from __future__ import annotations

from collections.abc import Iterable, Sequence
from datetime import datetime

from sqlalchemy import update
from sqlalchemy.exc import IntegrityError
from sqlmodel import Session, col, select

from litwatch.errors import StoreError
from litwatch.records import ArticleRecord, Classification
from litwatch.store.notices import with_known_notices
from litwatch.store.tables import (
    Article,
    ClassificationRow,
    Digest,
    DigestItem,
    SavedSearch,
    SearchHit,
)

CHUNK = 500  # PMIDs per IN (...) lookup: well under SQLite's variable limit

#: An article with what the classifier said about it.
Classified = tuple[ArticleRecord, Classification]


class DigestCollision(StoreError):
    """Some article of the digest is already recorded in another for the same subscriber."""


def _classified(article: Article, row: ClassificationRow) -> Classified:
    return ArticleRecord.from_dict(article.data), Classification.from_dict(row.data)


def _chunks(items: Sequence[str]) -> Iterable[Sequence[str]]:
    for i in range(0, len(items), CHUNK):
        yield items[i : i + CHUNK]


def sent_pmids(session: Session, subscriber_id: int) -> dict[str, set[str]]:
    """Kind ('new', 'retraction', 'erratum') -> the PMIDs recorded for the subscriber so."""
    rows = session.exec(
        select(DigestItem.pmid, DigestItem.kind).where(DigestItem.subscriber_id == subscriber_id)
    )
    out: dict[str, set[str]] = {}
    for pmid, kind in rows:
        out.setdefault(kind, set()).add(pmid)
    return out


def classified_hits_since(
    session: Session, since: datetime, *, searches: Sequence[str] = ()
) -> dict[str, Classified]:
    """PMID -> classified article, for the live articles first found after ``since``.

    With ``searches``, only hits of those saved searches count."""
    stmt = (
        select(Article, ClassificationRow)
        .join(SearchHit, col(SearchHit.pmid) == col(Article.pmid))
        .join(ClassificationRow, col(ClassificationRow.pmid) == col(Article.pmid))
        .where(col(SearchHit.first_seen) > since, col(Article.deleted).is_(False))
    )
    if searches:
        stmt = stmt.join(SavedSearch, col(SavedSearch.id) == col(SearchHit.search_id)).where(
            col(SavedSearch.name).in_(list(searches))
        )
    return _with_notices(
        session, {article.pmid: _classified(article, row) for article, row in session.exec(stmt)}
    )


def classified_articles(session: Session, pmids: Iterable[str]) -> dict[str, Classified]:
    """PMID -> classified article, for those of ``pmids`` that are stored and classified."""
    out: dict[str, Classified] = {}
    for chunk in _chunks(sorted(set(pmids))):
        rows = session.exec(
            select(Article, ClassificationRow)
            .join(ClassificationRow, col(ClassificationRow.pmid) == col(Article.pmid))
            .where(col(Article.pmid).in_(chunk))
        )
        out.update({article.pmid: _classified(article, row) for article, row in rows})
    return _with_notices(session, out)


def _with_notices(session: Session, found: dict[str, Classified]) -> dict[str, Classified]:
    """The records with what stored notices say of them (a retraction their XML lacks)."""
    records = with_known_notices(session, [record for record, _ in found.values()])
    return {r.pmid: (r, found[r.pmid][1]) for r in records}


def search_names(session: Session, pmids: Iterable[str]) -> dict[str, list[str]]:
    """PMID -> the names of the saved searches that found it."""
    out: dict[str, list[str]] = {}
    for chunk in _chunks(list(pmids)):
        rows = session.exec(
            select(SearchHit.pmid, SavedSearch.name)
            .join(SavedSearch, col(SavedSearch.id) == col(SearchHit.search_id))
            .where(col(SearchHit.pmid).in_(chunk))
        )
        for pmid, name in rows:
            out.setdefault(pmid, []).append(name)
    return out


def add_digest(
    session: Session,
    *,
    subscriber_id: int,
    period_start: datetime,
    period_end: datetime,
    now: datetime,
) -> Digest:
    """A new pending digest, due at once; flushed, so it has its id."""
    digest = Digest(
        subscriber_id=subscriber_id,
        period_start=period_start,
        period_end=period_end,
        created_at=now,
        next_attempt_at=now,
    )
    session.add(digest)
    session.flush()
    return digest


def keep_message(
    session: Session,
    digest: Digest,
    *,
    message_id: str,
    subject: str,
    text: str,
    html: str,
    unsubscribe_url: str,
) -> None:
    """Store what is sent for ``digest``: every try sends exactly this."""
    digest.message_id = message_id
    digest.subject = subject
    digest.body_text = text
    digest.body_html = html
    digest.unsubscribe_url = unsubscribe_url
    session.add(digest)


def add_digest_items(session: Session, digest: Digest, items: Iterable[tuple[str, str]]) -> None:
    """Record the (pmid, kind) items of ``digest``; DigestCollision when one is in another.

    After a collision the transaction is spoilt: the caller rolls back."""
    assert digest.id is not None
    for pmid, kind in items:
        session.add(
            DigestItem(
                digest_id=digest.id, subscriber_id=digest.subscriber_id, pmid=pmid, kind=kind
            )
        )
    try:
        session.flush()
    except IntegrityError as exc:
        raise DigestCollision(
            f"digest {digest.id}: an article of it is already in another digest"
        ) from exc


def digest_item_kinds(session: Session, digest_id: int) -> list[tuple[str, str]]:
    """The (pmid, kind) items recorded for a digest, in the order they were written."""
    rows = session.exec(
        select(DigestItem.pmid, DigestItem.kind)
        .where(DigestItem.digest_id == digest_id)
        .order_by(col(DigestItem.id))
    )
    return [(pmid, kind) for pmid, kind in rows]


def get_digest(session: Session, digest_id: int) -> Digest | None:
    return session.get(Digest, digest_id)


def release_stale_claims(session: Session, *, claimed_before: datetime) -> int:
    """Give back the digests claimed before ``claimed_before`` and never marked (a worker died)."""
    return session.execute(
        update(Digest)
        .where(col(Digest.status) == "sending", col(Digest.claimed_at) < claimed_before)
        .values(status="pending")
    ).rowcount


def claims(session: Session) -> list[tuple[int, str]]:
    """(digest id, worker) of every digest being sent: claimed and not yet marked."""
    rows = session.exec(
        select(Digest.id, Digest.claimed_by).where(col(Digest.status) == "sending")
    ).all()
    return [(digest_id, worker or "") for digest_id, worker in rows]  # type: ignore[misc]


def release_claim(session: Session, digest_id: int, *, worker: str) -> bool:
    """Give back one digest claimed by ``worker`` (a worker known to be dead)."""
    return (
        session.execute(
            update(Digest)
            .where(
                col(Digest.id) == digest_id,
                col(Digest.status) == "sending",
                col(Digest.claimed_by) == worker,
            )
            .values(status="pending")
        ).rowcount
        == 1
    )


def next_due_digest(
    session: Session, *, now: datetime, subscriber_id: int | None = None
) -> int | None:
    """The id of the oldest pending digest due at ``now``, or None.

    On PostgreSQL the row is locked (rows other workers hold are skipped) until the caller
    commits or rolls back."""
    stmt = (
        select(Digest.id)
        .where(col(Digest.status) == "pending", col(Digest.next_attempt_at) <= now)
        .order_by(col(Digest.id))
        .limit(1)
    )
    if subscriber_id is not None:
        stmt = stmt.where(Digest.subscriber_id == subscriber_id)
    if session.get_bind().dialect.name == "postgresql":
        stmt = stmt.with_for_update(skip_locked=True)
    return session.exec(stmt).first()


def take_digest(session: Session, digest_id: int, *, worker: str, now: datetime) -> bool:
    """Mark a pending digest as being sent by ``worker``; False when someone took it first."""
    taken = session.execute(
        update(Digest)
        .where(col(Digest.id) == digest_id, col(Digest.status) == "pending")
        .values(status="sending", claimed_by=worker, claimed_at=now)
    ).rowcount
    return taken == 1


def mark_sent(
    session: Session, digest_id: int, *, attempts: int, sent_at: datetime, outbox_path: str = ""
) -> None:
    session.execute(
        update(Digest)
        .where(col(Digest.id) == digest_id)
        .values(
            status="sent",
            attempts=attempts,
            sent_at=sent_at,
            outbox_path=outbox_path,
            last_error="",
        )
    )


def mark_not_sent(
    session: Session, digest_id: int, *, attempts: int, error: str, retry_at: datetime | None
) -> None:
    """Record a failed try: pending again until ``retry_at``, or failed for good when None."""
    values: dict[str, object] = {"attempts": attempts, "last_error": error}
    if retry_at is None:
        values["status"] = "failed"
    else:
        values.update(status="pending", next_attempt_at=retry_at)
    session.execute(update(Digest).where(col(Digest.id) == digest_id).values(**values))
