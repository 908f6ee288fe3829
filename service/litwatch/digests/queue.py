"""Recording digests: what each subscriber is due, built and rendered once, before sending.

``make_digest`` finds the candidates (new articles, and corrections of articles sent before),
chooses and renders the digest, and records it with the message to send and its items, all
in the caller's transaction. ``litwatch.store.digests`` keeps the items unique per subscriber,
so an article is never in two digests and a notice goes out once.
"""

from __future__ import annotations

import logging
from collections.abc import Iterable
from dataclasses import dataclass, replace
from datetime import datetime, timedelta

from sqlmodel import Session

from litwatch.digests.message import digest_message_id
from litwatch.digests.rendering import RenderedDigest, RenderSettings, render_with
from litwatch.digests.selection import Candidate, DigestContent, Recipient, build_digest
from litwatch.judging.evidence import NOT_TRIAL_REPORTS
from litwatch.records import ArticleRecord
from litwatch.store import digests as store
from litwatch.store.classifications import get_classifications, trial_reports
from litwatch.store.notices import headlines, notice_links
from litwatch.store.subscribers import set_last_digest
from litwatch.store.tables import Digest, Subscriber

log = logging.getLogger(__name__)

# Articles first seen a little before the last digest are looked at again: a poll may commit
# rows stamped just before a digest run read the table. The unique key stops repeats.
LOOKBACK_MARGIN = timedelta(hours=6)
FIRST_DIGEST_LOOKBACK = {"daily": timedelta(days=1), "weekly": timedelta(days=7)}

RETRACTION_REFS = ("RetractionIn",)
NOTICE_TARGET_REFS = {"RetractionOf": "retraction", "ErratumFor": "erratum"}


@dataclass
class Candidates:
    items: list[Candidate]
    notices: dict[str, str]  # pmid of an article sent before -> 'retraction' | 'erratum'
    first: bool = False  # the subscriber has been sent nothing yet


# A digest item's kind: "new" (sent), "retraction" | "erratum" (announced: as a notice, or in
# place with the article), "listed" (left out of a limited first digest, linked on the web).
LISTED = "listed"


@dataclass
class Composed:
    """A digest chosen and rendered, not yet recorded."""

    found: Candidates
    content: DigestContent
    rendered: RenderedDigest


def recipient_of(sub: Subscriber) -> Recipient:
    return Recipient(
        email=sub.email,
        name=sub.name,
        searches=list(sub.searches or []),
        frequency=sub.frequency,
        min_relevance=sub.min_relevance,
        findings=list(sub.findings or []),
        send_empty=sub.send_empty,
    )


def notice_targets(record: ArticleRecord) -> dict[str, str]:
    """pmid -> kind for each article this one retracts or corrects."""
    return {
        c.pmid: NOTICE_TARGET_REFS[c.ref_type]
        for c in record.comments_corrections
        if c.ref_type in NOTICE_TARGET_REFS and c.pmid
    }


def _correction_kind(record: ArticleRecord) -> str:
    refs = {c.ref_type for c in record.comments_corrections}
    if refs & set(RETRACTION_REFS):
        return "retraction"
    return "erratum" if "ErratumIn" in refs else ""


def collect_candidates(session: Session, sub: Subscriber, since: datetime) -> Candidates:
    """New articles for ``sub`` since ``since``, and notices about articles it got before."""
    assert sub.id is not None
    sent = store.sent_pmids(session, sub.id)
    sent_new = sent.get("new", set())
    seen = sent_new | sent.get(LISTED, set())
    hits = store.classified_hits_since(
        session, since - LOOKBACK_MARGIN, searches=list(sub.searches or [])
    )
    fresh = {pmid: pair for pmid, pair in hits.items() if pmid not in seen}
    searches = store.search_names(session, fresh)
    items: list[Candidate] = []
    notices: dict[str, str] = {}
    for pmid, (record, classification) in fresh.items():
        noticed = notice_targets(record)
        if noticed and all(p in sent.get(k, set()) for p, k in noticed.items()):
            continue  # a notice of what the subscriber was already told was retracted
        targets = {
            p: k
            for p, k in notice_targets(record).items()
            if p in sent_new and p not in sent.get(k, set())
        }
        notices.update(targets)
        items.append(Candidate(record, classification, searches.get(pmid, []), bool(targets)))
    # Articles sent before that have since been retracted or corrected.
    covered = set(notices)
    for pmid, (record, classification) in store.classified_articles(session, sent_new).items():
        kind = _correction_kind(record)
        if not kind or pmid in sent.get(kind, set()) or pmid in covered:
            continue
        notices[pmid] = kind
        items.append(Candidate(record, classification, [], previously_sent=True))
    link_candidates(session, items)
    return Candidates(items, notices, first=not seen)


def link_candidates(session: Session, items: list[Candidate]) -> None:
    """Fill in what each candidate notices and the earlier reports of its trial."""
    pmids = [i.pmid for i in items]
    links = notice_links(session, pmids)
    trials = trial_reports(session, pmids)
    others = sorted({p for found in trials.values() for p in found})
    designs = {p: c.design for p, c in get_classifications(session, others).items()}
    for item in items:
        item.notice_of = links.get(item.pmid, {}).get("notice_of", [])
        if item.classification.design in NOT_TRIAL_REPORTS or item.article.is_notice:
            continue
        # The lower PMID entered PubMed first: that report is the one this follows up.
        earlier = [
            p
            for p in trials.get(item.pmid, {})
            if designs.get(p, "other") not in NOT_TRIAL_REPORTS
            and _pmid_order(p) < _pmid_order(item.pmid)
        ]
        item.follow_up_of = headlines(session, sorted(earlier, key=_pmid_order), "same-trial")


def _pmid_order(pmid: str) -> tuple[int, str]:
    return (int(pmid), pmid) if pmid.isdigit() else (0, pmid)


def digest_period_start(sub: Subscriber) -> datetime:
    """Where the next digest of ``sub`` starts: the end of the last one, or a first look back."""
    if sub.last_digest_at is not None:
        return sub.last_digest_at
    assert sub.created_at is not None
    return sub.created_at - FIRST_DIGEST_LOOKBACK.get(sub.frequency, timedelta(days=1))


def compose_digest(
    session: Session,
    sub: Subscriber,
    *,
    now: datetime,
    rendering: RenderSettings,
    send_empty: bool = False,
) -> Composed | None:
    """The digest ``sub`` is due now, chosen and rendered (None: nothing to send); reads only.

    ``send_empty`` makes an empty digest rather than none, whatever the subscriber chose."""
    since = digest_period_start(sub)
    found = collect_candidates(session, sub, since)
    recipient = recipient_of(sub)
    if send_empty:
        recipient = replace(recipient, send_empty=True)
    content = build_digest(
        recipient,
        found.items,
        period_start=since,
        period_end=now,
        kb_statements=rendering.kb_statements,
        limit=rendering.first_digest_max if found.first else None,
    )
    if content is None:
        return None
    return Composed(found, content, render_with(rendering, content, now=now))


def _items_to_record(composed: Composed) -> list[tuple[str, str]]:
    """(pmid, kind) rows: new articles, each notice against the article sent before, the
    corrections shown in place with a new article, and the articles held back."""
    chosen = composed.content.items
    notices = composed.found.notices
    rows = [(i.pmid, "new") for i in chosen if i.pmid not in notices]
    chosen_pmids = {i.pmid for i in chosen}
    for pmid, kind in notices.items():
        # A notice is recorded against the article sent before, whichever record carried it.
        if pmid in chosen_pmids or any(pmid in notice_targets(i.article) for i in chosen):
            rows.append((pmid, kind))
    for item in chosen:
        # Shown retracted (or corrected) now: announced, so no second message says it again.
        kind = _correction_kind(item.article) or ("retraction" if item.article.retracted else "")
        if kind and item.pmid not in notices:
            rows.append((item.pmid, kind))
    rows += [(i.pmid, LISTED) for i in composed.content.held if i.pmid not in notices]
    return list(dict.fromkeys(rows))


def make_digest(
    session: Session,
    sub: Subscriber,
    *,
    now: datetime,
    rendering: RenderSettings,
    message_id_domain: str,
) -> Digest | None:
    """Record the digest ``sub`` is due now, with the message to send (None: nothing to send).

    The caller commits; DigestCollision (litwatch.store.digests) when another run recorded
    some of these articles first."""
    assert sub.id is not None
    composed = compose_digest(session, sub, now=now, rendering=rendering)
    set_last_digest(session, sub, now)
    if composed is None:
        return None
    digest = store.add_digest(
        session,
        subscriber_id=sub.id,
        period_start=composed.content.period_start,
        period_end=now,
        now=now,
    )
    assert digest.id is not None
    rendered = composed.rendered
    store.keep_message(
        session,
        digest,
        message_id=digest_message_id(digest.id, now, message_id_domain),
        subject=rendered.subject,
        text=rendered.text,
        html=rendered.html,
        unsubscribe_url=rendered.unsubscribe_url,
    )
    store.add_digest_items(session, digest, _items_to_record(composed))
    return digest


def make_due_digests(
    session: Session,
    subs: Iterable[Subscriber],
    *,
    now: datetime,
    rendering: RenderSettings,
    message_id_domain: str,
) -> list[int]:
    """Record and commit a digest for each of ``subs``; one that collides is skipped."""
    made = []
    for sub in subs:
        try:
            digest = make_digest(
                session, sub, now=now, rendering=rendering, message_id_domain=message_id_domain
            )
            session.commit()
        except store.DigestCollision:
            # Another instance recorded these articles for this subscriber first.
            session.rollback()
            log.warning("digest for %s not recorded: its articles are in another", sub.email)
            continue
        if digest is not None:
            assert digest.id is not None
            made.append(digest.id)
    return made


def recorded_candidates(session: Session, digest_id: int) -> list[Candidate]:
    """The items of a recorded digest, rebuilt from the store (for one kept without a body)."""
    rows = store.digest_item_kinds(session, digest_id)
    new = [pmid for pmid, kind in rows if kind == "new"]
    notices = {pmid: kind for pmid, kind in rows if kind not in ("new", LISTED)}
    articles = store.classified_articles(session, [*new, *notices])
    searches = store.search_names(session, new)
    items = []
    covered: set[str] = set()
    for pmid in new:
        if pmid not in articles:
            continue
        record, classification = articles[pmid]
        targets = set(notice_targets(record)) & set(notices)
        covered |= targets
        items.append(Candidate(record, classification, searches.get(pmid, []), bool(targets)))
    for pmid in notices:
        if pmid in covered or pmid in new or pmid not in articles:
            continue
        record, classification = articles[pmid]
        items.append(Candidate(record, classification, [], previously_sent=True))
    link_candidates(session, items)
    return items
