"""The dashboard's queries: what is new since a moment, by section, filtered, sorted and paged
in SQL (LIMIT/OFFSET), so a page never loads more rows than it shows.

Sections: ``contradictions`` (a judgement "contradicts" on any finding), ``rcts`` (new
multicentre RCTs: the classifier's ``multicentre-rct`` flag), ``retractions`` (retracted
articles and retraction notices) and ``new`` (every new article). An article is "new" when
it was first stored at or after ``since``. Every filter is a set of PMIDs read from an index
(migration 0012), so the walk over the new articles never reads a wide row it leaves
out. Only judged articles are shown: the dashboard is
about what the classifier said. Contradictions and RCTs leave out retracted articles and
notices (they count for nothing); the retractions section is where those go.
"""

from __future__ import annotations

from collections.abc import Sequence
from dataclasses import dataclass
from datetime import date, datetime
from typing import Any

from sqlalchemy import case, exists, false, func, literal, select, union, union_all
from sqlalchemy.orm import aliased
from sqlalchemy.sql.elements import ColumnElement
from sqlmodel import Session, col

from litwatch.records import REVIEW_THRESHOLD
from litwatch.store.digest_tables import Digest
from litwatch.store.fulltext import matching_ids
from litwatch.store.tables import Article, ArticleFinding, ClassificationRow

SECTIONS = ("contradictions", "rcts", "retractions", "new")
SORTS = ("newest", "oldest", "n", "relevance")
RELEVANCES = ("core", "related", "off")


@dataclass(frozen=True)
class DashboardFilter:
    """What a person asked the dashboard for; every field narrows every section."""

    since: datetime
    text: str = ""  # full-text search words
    relevance: tuple[str, ...] = ("core", "related")
    design: str = ""
    stance: str = ""  # a judgement with this stance on any finding
    date_from: date | None = None  # the article's date (publication, else creation)
    date_to: date | None = None
    needs_review: bool = False  # a judgement below REVIEW_THRESHOLD
    sort: str = "newest"


def _pmid() -> ColumnElement[Any]:
    # ``|| ''`` keeps SQLite off the PMID index: it would fetch every article in a filter's
    # set and sort them all, where walking the new articles in order stops after a page.
    return col(Article.pmid) + ""


def _article_date() -> ColumnElement[Any]:
    return func.coalesce(Article.pub_date, Article.create_date)


def _judged(*where: ColumnElement[bool]) -> ColumnElement[bool]:
    """The article has a judgement (article_finding row) matching ``where``."""
    return _pmid().in_(select(col(ArticleFinding.pmid)).where(*where))


def _classified(wanted: DashboardFilter, section: str) -> ColumnElement[bool]:
    """The article's classification passes the filter and belongs in the section.

    Checked row by row (the classification found by its PMID): a page stops after a few
    rows, and building the set of every core and related article would cost more than
    those."""
    c = aliased(ClassificationRow)  # apart from the one a sort walks
    where: list[ColumnElement[bool]] = [col(c.relevance).in_(wanted.relevance)]
    if wanted.design:
        where.append(col(c.design) == wanted.design)
    if section in ("contradictions", "rcts"):
        where.append(~col(c.notice))  # retracted articles and notices count for nothing
    return exists().where(col(c.pmid) == col(Article.pmid), *where).correlate(Article)


def _rcts(wanted: DashboardFilter) -> ColumnElement[bool]:
    # Few articles are multicentre RCTs: the query starts from them (plain PMIDs, so their
    # index is used) rather than walking every new article.
    c = ClassificationRow
    rcts = select(col(c.pmid)).where(
        col(c.relevance).in_(wanted.relevance), col(c.design) == "rct", col(c.multicentre_rct)
    )
    return col(Article.pmid).in_(rcts)


def _newest(sort: str) -> list[Any]:
    if sort == "oldest":
        return [col(Article.first_seen).asc(), col(Article.id).asc()]
    return [col(Article.first_seen).desc(), col(Article.id).desc()]


def _where(session: Session, wanted: DashboardFilter, section: str) -> list[ColumnElement[bool]]:
    """Each filter a set of PMIDs (or ids) read from an index; the walk over the articles'
    index in (first_seen, id) order checks each row against them."""
    clauses: list[ColumnElement[bool]] = [col(Article.first_seen) >= wanted.since]
    clauses.append(~col(Article.deleted))
    if section == "rcts":
        clauses.append(_rcts(wanted))
    elif section == "contradictions":
        clauses += [~col(Article.retracted), _judged(col(ArticleFinding.stance) == "contradicts")]
    elif section == "retractions":
        # Few, so the query starts from them too: the retracted articles and the notices.
        notices = (
            select(col(Article.id))
            .join(ClassificationRow, col(ClassificationRow.pmid) == col(Article.pmid))
            .where(
                col(ClassificationRow.relevance).in_(wanted.relevance),
                col(ClassificationRow.retraction),
            )
        )
        retracted = select(col(Article.id)).where(col(Article.retracted))
        clauses.append(col(Article.id).in_(union(retracted, notices)))
    if wanted.text:
        clauses.append(matching_ids(session, wanted.text, col(Article.id) + 0))
    if wanted.stance:
        clauses.append(_judged(col(ArticleFinding.stance) == wanted.stance))
    if wanted.needs_review:
        clauses.append(_judged(col(ArticleFinding.confidence) < REVIEW_THRESHOLD))
    if wanted.date_from:
        clauses.append(_article_date() >= wanted.date_from)
    if wanted.date_to:
        clauses.append(_article_date() <= wanted.date_to)
    # Last: SQLite checks the terms in this order, so the sets above leave out most rows
    # before their classification is read.
    clauses.append(_classified(wanted, section))
    return clauses


def _ordered_ids(
    session: Session, wanted: DashboardFilter, section: str, *, limit: int, offset: int = 0
) -> Any:
    """The ids of a section's articles in the filter's order, ``limit`` from ``offset``.

    Newest or oldest first: a walk down the articles' (first_seen, id) index. The new
    articles by relevance (then priority) or by n: ``_walks``.
    """
    query = select(col(Article.id)).where(*_where(session, wanted, section))
    if wanted.sort not in ("relevance", "n"):
        return query.order_by(*_newest(wanted.sort)).limit(limit).offset(offset)
    key = col(ClassificationRow.priority if wanted.sort == "relevance" else ClassificationRow.n)
    # Unknown n last: SQLite puts NULL last in descending order, and so walks its index;
    # PostgreSQL puts it first unless told.
    postgres = session.get_bind().dialect.name == "postgresql"
    if section not in ("rcts", "retractions"):
        return _walks(session, wanted, section, key, postgres, limit=limit, offset=offset)
    # These sections start from their few articles: sorting those costs less than walking
    # every classification.
    query = query.join(ClassificationRow, col(ClassificationRow.pmid) == col(Article.pmid))
    order = [_descending(key, postgres)]
    if wanted.sort == "relevance":
        rank = case(
            *((col(ClassificationRow.relevance) == r, i) for i, r in enumerate(RELEVANCES)),
            else_=len(RELEVANCES),
        )
        order.insert(0, rank)
    return query.order_by(*order, *_newest("newest")).limit(limit).offset(offset)


def _descending(key: Any, postgres: bool) -> Any:
    """Largest first, unknown (NULL) last on both databases (see ``_ordered_ids``)."""
    return key.desc().nulls_last() if postgres else key.desc()


def _walks(
    session: Session,
    wanted: DashboardFilter,
    section: str,
    key: Any,
    postgres: bool,
    *,
    limit: int,
    offset: int,
) -> Any:
    """A walk a relevance down the classifications' (relevance, priority) or (relevance, n)
    index, largest ``key`` first, the walks merged (by relevance first for the relevance
    sort). A walk stops after the rows of the page (the later keys of the order only sort
    the rows of one priority or n), however many articles are new."""
    by_key = _descending(key, postgres)
    parts = []
    for rank, relevance in enumerate(r for r in RELEVANCES if r in wanted.relevance):
        c = ClassificationRow
        on_walk = [col(c.relevance) == relevance]  # read from the walk's own index
        if wanted.design:
            on_walk.append(col(c.design) == wanted.design)
        walk = (
            select(
                col(Article.id).label("id"),
                literal(rank).label("rank"),
                key.label("key"),
                col(Article.first_seen).label("first_seen"),
            )
            .select_from(c)
            .join(Article, col(Article.pmid) == col(c.pmid))
            .where(*on_walk, *_where(session, wanted, section))
            .order_by(by_key, *_newest("newest"))
            .limit(offset + limit)  # no walk gives more than the page's rows and those before
            .subquery()
        )
        parts.append(select(walk))  # apart: SQLite orders and limits no part of a UNION
    if not parts:
        return select(col(Article.id)).where(false())
    merged = union_all(*parts).subquery()
    merged_key = _descending(merged.c.key, postgres)
    order = [merged.c.rank, merged_key] if wanted.sort == "relevance" else [merged_key]
    return (
        select(merged.c.id)
        .order_by(*order, merged.c.first_seen.desc(), merged.c.id.desc())
        .limit(limit)
        .offset(offset)
    )


def section_page(
    session: Session, wanted: DashboardFilter, section: str, *, limit: int, offset: int = 0
) -> tuple[list[tuple[Article, ClassificationRow]], bool]:
    """One page of a section, in the filter's order, and whether a further page exists."""
    # Ids first, rows after: sorting narrow rows is cheap, sorting the wide ones (their JSON
    # held by the sorter) is not. One more than shown: is there a next page?
    query = _ordered_ids(session, wanted, section, limit=limit + 1, offset=offset)
    ids = list(session.execute(query).scalars())
    return _rows_of(session, ids[:limit]), len(ids) > limit


def section_head(
    session: Session, wanted: DashboardFilter, section: str, *, shown: int, cap: int
) -> tuple[list[tuple[Article, ClassificationRow]], int]:
    """The first ``shown`` articles of a section in the filter's order, and how many it
    holds, counted up to ``cap`` (a count past it is ``cap``): one walk gives both, and a
    bounded count stays cheap however large the store."""
    ids = list(session.execute(_ordered_ids(session, wanted, section, limit=cap)).scalars())
    return _rows_of(session, ids[:shown]), len(ids)


def _rows_of(session: Session, ids: list[int]) -> list[tuple[Article, ClassificationRow]]:
    if not ids:
        return []
    rows = session.execute(
        select(Article, ClassificationRow)
        .join(ClassificationRow, col(ClassificationRow.pmid) == col(Article.pmid))
        .where(col(Article.id).in_(ids))
    ).all()
    by_id = {a.id: (a, c) for a, c in rows}
    return [by_id[i] for i in ids if i in by_id]


def section_pmids(
    session: Session, wanted: DashboardFilter, section: str, *, limit: int
) -> list[str]:
    """The PMIDs of a section in the filter's order, at most ``limit`` (a download of it)."""
    ids = list(session.execute(_ordered_ids(session, wanted, section, limit=limit)).scalars())
    pmid_of: dict[int, str] = {}
    for start in range(0, len(ids), 900):
        chunk = ids[start : start + 900]
        stmt = select(col(Article.id), col(Article.pmid)).where(col(Article.id).in_(chunk))
        pmid_of.update((i, p) for i, p in session.execute(stmt))
    return [pmid_of[i] for i in ids if i in pmid_of]


def section_count(session: Session, wanted: DashboardFilter, section: str, *, cap: int) -> int:
    """How many articles a section holds, counted up to ``cap`` (a count past it is ``cap``):
    a bounded count stays cheap however large the store."""
    inner = select(col(Article.id)).where(*_where(session, wanted, section)).limit(cap).subquery()
    return int(session.execute(select(func.count()).select_from(inner)).scalar_one())


def stances_of(session: Session, pmids: Sequence[str]) -> dict[str, list[ArticleFinding]]:
    """The judgement rows of these articles, by PMID (for grouping a page by finding)."""
    out: dict[str, list[ArticleFinding]] = {p: [] for p in pmids}
    if pmids:
        query = select(ArticleFinding).where(col(ArticleFinding.pmid).in_(list(pmids)))
        for (row,) in session.execute(query).all():
            out[row.pmid].append(row)
    return out


def last_digest_sent(session: Session) -> datetime | None:
    """When the last digest went out to anyone, or None when none has."""
    # Ordered rather than max(): max() would lose the column's UTC type on SQLite.
    query = (
        select(col(Digest.sent_at))
        .where(col(Digest.status) == "sent", col(Digest.sent_at).is_not(None))
        .order_by(col(Digest.sent_at).desc())
        .limit(1)
    )
    value: datetime | None = session.execute(query).scalar_one_or_none()
    return value
