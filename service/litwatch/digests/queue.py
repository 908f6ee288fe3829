"""Digests in the database: what each subscriber is due, recorded before anything is sent.

A digest row and its items are written in one transaction. The unique key on
(subscriber, pmid, kind) of ``digest_item`` is what guarantees that an article is never in two
digests for one subscriber, and that a retraction or erratum is announced once.
"""

from __future__ import annotations

import logging
from collections.abc import Iterable
from dataclasses import dataclass
from datetime import datetime, timedelta

from sqlalchemy.exc import IntegrityError
from sqlmodel import Session, col, select

from litwatch.digests.build import DigestItem, build_digest, select_items
from litwatch.digests.build import Subscriber as DigestSubscriber
from litwatch.records import ArticleRecord, Classification
from litwatch.store.articles import article_record
from litwatch.store.tables import (
    Article,
    ClassificationRow,
    Digest,
    SavedSearch,
    SearchHit,
    Subscriber,
)
from litwatch.store.tables import DigestItem as DigestItemRow

log = logging.getLogger(__name__)

# Articles first seen a little before the last digest are looked at again: a poll may commit
# rows stamped just before a digest run read the table. The unique key stops repeats.
LOOKBACK_MARGIN = timedelta(hours=6)
FIRST_DIGEST_LOOKBACK = {"daily": timedelta(days=1), "weekly": timedelta(days=7)}

RETRACTION_REFS = ("RetractionIn",)
NOTICE_TARGET_REFS = {"RetractionOf": "retraction", "ErratumFor": "erratum"}


@dataclass
class Candidates:
    items: list[DigestItem]
    notices: dict[str, str]  # pmid of an article sent before -> 'retraction' | 'erratum'


def as_digest_subscriber(sub: Subscriber) -> DigestSubscriber:
    return DigestSubscriber(
        email=sub.email,
        name=sub.name,
        searches=list(sub.searches or []),
        frequency=sub.frequency,
        min_relevance=sub.min_relevance,
        findings=list(sub.findings or []),
        send_empty=sub.send_empty,
    )


def _sent_pmids(session: Session, sub_id: int) -> dict[str, set[str]]:
    rows = session.exec(
        select(DigestItemRow.pmid, DigestItemRow.kind).where(DigestItemRow.subscriber_id == sub_id)
    )
    out: dict[str, set[str]] = {}
    for pmid, kind in rows:
        out.setdefault(kind, set()).add(pmid)
    return out


def _searches_by_pmid(session: Session, pmids: Iterable[str]) -> dict[str, list[str]]:
    out: dict[str, list[str]] = {}
    pmids = list(pmids)
    for i in range(0, len(pmids), 500):
        rows = session.exec(
            select(SearchHit.pmid, SavedSearch.name)
            .join(SavedSearch, col(SavedSearch.id) == col(SearchHit.search_id))
            .where(col(SearchHit.pmid).in_(pmids[i : i + 500]))
        )
        for pmid, name in rows:
            out.setdefault(pmid, []).append(name)
    return out


def _item(
    article: Article, c_row: ClassificationRow, searches: list[str], previously_sent: bool
) -> DigestItem:
    return DigestItem(
        article=article_record(article),
        classification=Classification.from_dict(c_row.data),
        searches=searches,
        previously_sent=previously_sent,
    )


def notice_targets(record: ArticleRecord) -> dict[str, str]:
    """pmid -> kind for each article this one retracts or corrects."""
    return {
        c.pmid: NOTICE_TARGET_REFS[c.ref_type]
        for c in record.comments_corrections
        if c.ref_type in NOTICE_TARGET_REFS and c.pmid
    }


def collect_candidates(session: Session, sub: Subscriber, since: datetime) -> Candidates:
    """New articles for ``sub`` since ``since``, and notices about articles it got before."""
    sent = _sent_pmids(session, sub.id)
    sent_new = sent.get("new", set())
    stmt = (
        select(Article, ClassificationRow)
        .join(SearchHit, col(SearchHit.pmid) == col(Article.pmid))
        .join(ClassificationRow, col(ClassificationRow.pmid) == col(Article.pmid))
        .where(col(SearchHit.first_seen) > since - LOOKBACK_MARGIN, col(Article.deleted).is_(False))
    )
    if sub.searches:
        stmt = stmt.join(SavedSearch, col(SavedSearch.id) == col(SearchHit.search_id)).where(
            col(SavedSearch.name).in_(sub.searches)
        )
    fresh = {a.pmid: (a, c) for a, c in session.exec(stmt) if a.pmid not in sent_new}
    searches = _searches_by_pmid(session, fresh)
    items: list[DigestItem] = []
    notices: dict[str, str] = {}
    for pmid, (article, c_row) in fresh.items():
        targets = {
            p: k
            for p, k in notice_targets(article_record(article)).items()
            if p in sent_new and p not in sent.get(k, set())
        }
        notices.update(targets)
        items.append(_item(article, c_row, searches.get(pmid, []), previously_sent=bool(targets)))
    # Articles sent before that have since been retracted or corrected.
    covered = set(notices)
    for chunk_start in range(0, len(sent_new), 500):
        chunk = sorted(sent_new)[chunk_start : chunk_start + 500]
        rows = session.exec(
            select(Article, ClassificationRow)
            .join(ClassificationRow, col(ClassificationRow.pmid) == col(Article.pmid))
            .where(col(Article.pmid).in_(chunk))
        )
        for article, c_row in rows:
            record = article_record(article)
            refs = {c.ref_type for c in record.comments_corrections}
            kind = (
                "retraction"
                if refs & set(RETRACTION_REFS)
                else ("erratum" if "ErratumIn" in refs else "")
            )
            if not kind or article.pmid in sent.get(kind, set()) or article.pmid in covered:
                continue
            notices[article.pmid] = kind
            items.append(_item(article, c_row, [], previously_sent=True))
    return Candidates(items, notices)


def make_digest(
    session: Session,
    sub: Subscriber,
    *,
    now: datetime,
    kb_statements: dict[str, str],
    message_id_domain: str,
) -> Digest | None:
    """Record the digest ``sub`` is due now (None: nothing to send); the caller commits."""
    since = sub.last_digest_at or (
        sub.created_at - FIRST_DIGEST_LOOKBACK.get(sub.frequency, timedelta(days=1))
    )
    found = collect_candidates(session, sub, since)
    chosen = select_items(as_digest_subscriber(sub), found.items)
    built = build_digest(
        as_digest_subscriber(sub),
        chosen,
        period_start=since,
        period_end=now,
        kb_statements=kb_statements,
    )
    sub.last_digest_at = now
    session.add(sub)
    if built is None:
        return None
    digest = Digest(
        subscriber_id=sub.id,
        period_start=since,
        period_end=now,
        created_at=now,
        next_attempt_at=now,
    )
    session.add(digest)
    session.flush()
    digest.message_id = f"<litwatch-digest-{digest.id}-{int(now.timestamp())}@{message_id_domain}>"
    chosen_pmids = {i.pmid for i in chosen}
    for item in chosen:
        if item.pmid in found.notices:
            continue  # an article sent before, back as a notice: recorded as such below
        session.add(
            DigestItemRow(digest_id=digest.id, subscriber_id=sub.id, pmid=item.pmid, kind="new")
        )
    for pmid, kind in found.notices.items():
        # A notice is recorded against the article sent before, whichever record carried it.
        carried = pmid in chosen_pmids or any(pmid in notice_targets(i.article) for i in chosen)
        if carried:
            session.add(
                DigestItemRow(digest_id=digest.id, subscriber_id=sub.id, pmid=pmid, kind=kind)
            )
    session.flush()
    return digest


def make_due_digests(
    session: Session,
    subs: Iterable[Subscriber],
    *,
    now: datetime,
    kb_statements: dict[str, str],
    message_id_domain: str,
) -> list[int]:
    """Record a digest for each of ``subs``; one that collides with another run is skipped."""
    made = []
    for sub in subs:
        try:
            digest = make_digest(
                session,
                sub,
                now=now,
                kb_statements=kb_statements,
                message_id_domain=message_id_domain,
            )
            session.commit()
        except IntegrityError:
            # Another instance recorded these articles for this subscriber first.
            session.rollback()
            log.warning("digest for %s not recorded: its articles are in another", sub.email)
            continue
        if digest is not None:
            made.append(digest.id)
    return made


def digest_items(session: Session, digest: Digest) -> list[DigestItem]:
    """The items of a recorded digest, rebuilt from the store for rendering."""
    rows = session.exec(select(DigestItemRow).where(DigestItemRow.digest_id == digest.id)).all()
    new = [r.pmid for r in rows if r.kind == "new"]
    notices = {r.pmid: r.kind for r in rows if r.kind != "new"}
    articles = {
        a.pmid: (a, c)
        for a, c in session.exec(
            select(Article, ClassificationRow)
            .join(ClassificationRow, col(ClassificationRow.pmid) == col(Article.pmid))
            .where(col(Article.pmid).in_(new + list(notices)))
        )
    }
    searches = _searches_by_pmid(session, new)
    items = []
    covered: set[str] = set()
    for pmid in new:
        if pmid not in articles:
            continue
        article, c_row = articles[pmid]
        targets = set(notice_targets(article_record(article))) & set(notices)
        covered |= targets
        items.append(_item(article, c_row, searches.get(pmid, []), previously_sent=bool(targets)))
    for pmid in notices:
        if pmid in covered or pmid in new or pmid not in articles:
            continue
        article, c_row = articles[pmid]
        items.append(_item(article, c_row, [], previously_sent=True))
    return items
