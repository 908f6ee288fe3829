"""Retraction notices and errata linked to the articles they notice, whichever came first.

A link is read from either record (the notice's RetractionOf/ErratumFor, or the article's
RetractionIn/ErratumIn), so it holds when the notice arrives before the article or after it.
An article a stored retraction notice retracts is marked retracted, and the records handed
out by ``with_known_notices`` carry the links their own XML may not have yet.

Every function takes a ``Session``; the caller decides when to commit.
"""

from __future__ import annotations

from collections.abc import Iterable, Sequence
from dataclasses import dataclass, replace
from datetime import datetime

from sqlalchemy import or_, update
from sqlmodel import Session, col, select

from litwatch.pubmed.markup import to_plain
from litwatch.records import NOTICE_REFS, NOTICED_REFS, ArticleRecord, CommentCorrection
from litwatch.store.tables import Article, NoticeLink

CHUNK = 500  # PMIDs per IN (...) lookup
BACK_REF = {"retraction": "RetractionIn", "erratum": "ErratumIn"}
FORWARD_REF = {"retraction": "RetractionOf", "erratum": "ErratumFor"}


@dataclass(frozen=True)
class Linked:
    """Another stored (or not yet stored) article an article is linked to, for display."""

    pmid: str
    kind: str  # retraction | erratum | same-trial
    title: str = ""  # plain text; "" when not stored
    year: int | None = None
    stored: bool = False


def _chunks(items: Sequence[str]) -> Iterable[Sequence[str]]:
    for i in range(0, len(items), CHUNK):
        yield items[i : i + CHUNK]


def links_in(record: ArticleRecord) -> dict[tuple[str, str], str]:
    """(notice pmid, target pmid) -> kind for every link this record declares."""
    found: dict[tuple[str, str], str] = {}
    for c in record.comments_corrections:
        if not c.pmid or c.pmid == record.pmid:
            continue
        if c.ref_type in NOTICE_REFS:
            found[(record.pmid, c.pmid)] = NOTICE_REFS[c.ref_type]
        elif c.ref_type in NOTICED_REFS:
            found[(c.pmid, record.pmid)] = NOTICED_REFS[c.ref_type]
    return found


def save_notice_links(
    session: Session, records: Sequence[ArticleRecord], *, now: datetime
) -> set[str]:
    """Keep the links these records declare and mark what they retract; returns the PMIDs at
    the other end of each new link (their judgement may change)."""
    wanted: dict[tuple[str, str], str] = {}
    for record in records:
        wanted.update(links_in(record))
    if not wanted:
        return set()
    pmids = sorted({p for pair in wanted for p in pair})
    known = {(link.notice_pmid, link.target_pmid) for link in _links_touching(session, pmids)}
    fresh = {pair: kind for pair, kind in wanted.items() if pair not in known}
    for (notice, target), kind in fresh.items():
        session.add(NoticeLink(notice_pmid=notice, target_pmid=target, kind=kind))
    session.flush()
    mark_retracted(session, pmids, now=now)
    mine = {r.pmid for r in records}
    return {p for pair in fresh for p in pair} - mine


def mark_retracted(session: Session, pmids: Sequence[str], *, now: datetime) -> None:
    """Mark retracted those of ``pmids`` that a stored link says are retracted (and so
    updated ``now``: what is read from the articles, such as an evidence table, changed)."""
    for chunk in _chunks(list(pmids)):
        targets = select(NoticeLink.target_pmid).where(
            NoticeLink.kind == "retraction", col(NoticeLink.target_pmid).in_(chunk)
        )
        session.execute(
            update(Article)
            .where(col(Article.pmid).in_(targets), col(Article.retracted).is_(False))
            .values(retracted=True, updated_at=now)
        )


def _links_touching(session: Session, pmids: Sequence[str]) -> list[NoticeLink]:
    out: list[NoticeLink] = []
    for chunk in _chunks(list(pmids)):
        out += session.exec(
            select(NoticeLink).where(
                or_(col(NoticeLink.notice_pmid).in_(chunk), col(NoticeLink.target_pmid).in_(chunk))
            )
        ).all()
    return out


def linked_pmids(session: Session, pmids: Sequence[str]) -> set[str]:
    """Every PMID linked to one of ``pmids`` by a notice, in either direction."""
    links = _links_touching(session, pmids)
    return {p for link in links for p in (link.notice_pmid, link.target_pmid)} - set(pmids)


def notice_links(session: Session, pmids: Sequence[str]) -> dict[str, dict[str, list[Linked]]]:
    """PMID -> {"notices": notices of it, "notice_of": articles it notices}, with titles."""
    links = _links_touching(session, pmids)
    others = sorted({p for link in links for p in (link.notice_pmid, link.target_pmid)})
    heads = _headlines(session, others)
    out: dict[str, dict[str, list[Linked]]] = {p: {"notices": [], "notice_of": []} for p in pmids}
    for link in sorted(links, key=lambda x: (x.notice_pmid, x.target_pmid)):
        if link.target_pmid in out:
            out[link.target_pmid]["notices"].append(_linked(link.notice_pmid, link.kind, heads))
        if link.notice_pmid in out:
            out[link.notice_pmid]["notice_of"].append(_linked(link.target_pmid, link.kind, heads))
    return out


def _headlines(session: Session, pmids: Sequence[str]) -> dict[str, tuple[str, int | None]]:
    heads: dict[str, tuple[str, int | None]] = {}
    for chunk in _chunks(list(pmids)):
        rows = session.exec(
            select(Article.pmid, Article.title, Article.pub_year).where(
                col(Article.pmid).in_(chunk)
            )
        )
        heads.update({pmid: (to_plain(title), year) for pmid, title, year in rows})
    return heads


def _linked(pmid: str, kind: str, heads: dict[str, tuple[str, int | None]]) -> Linked:
    title, year = heads.get(pmid, ("", None))
    return Linked(pmid, kind, title, year, pmid in heads)


def headlines(session: Session, pmids: Sequence[str], kind: str) -> list[Linked]:
    """The stored ones of ``pmids`` as links of ``kind``, in the order given."""
    heads = _headlines(session, pmids)
    return [_linked(p, kind, heads) for p in pmids if p in heads]


def with_known_notices(session: Session, records: Sequence[ArticleRecord]) -> list[ArticleRecord]:
    """The records, each with the stored links its own XML lacks added to its corrections
    (a copy where something is added), so a notice stored first still retracts."""
    pmids = [r.pmid for r in records]
    by_pmid: dict[str, list[CommentCorrection]] = {}
    for link in _links_touching(session, pmids):
        by_pmid.setdefault(link.target_pmid, []).append(
            CommentCorrection(BACK_REF[link.kind], link.notice_pmid, f"PMID {link.notice_pmid}")
        )
        by_pmid.setdefault(link.notice_pmid, []).append(
            CommentCorrection(FORWARD_REF[link.kind], link.target_pmid, f"PMID {link.target_pmid}")
        )
    out = []
    for record in records:
        have = {(c.ref_type, c.pmid) for c in record.comments_corrections}
        extra = [c for c in by_pmid.get(record.pmid, []) if (c.ref_type, c.pmid) not in have]
        out.append(
            replace(record, comments_corrections=[*record.comments_corrections, *extra])
            if extra
            else record
        )
    return out
