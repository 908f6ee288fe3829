"""People's labels on articles: relevance, or a corrected stance on a finding.

Labels are only ever added; the latest label on an article is the one that counts.
"""

from __future__ import annotations

from datetime import datetime

from sqlalchemy import func
from sqlmodel import Session, col, select

from litwatch.records import ArticleRecord
from litwatch.store.articles import article_record, get_article
from litwatch.store.tables import Feedback


def add_feedback_row(
    session: Session,
    pmid: str,
    *,
    now: datetime,
    relevant: bool | None,
    finding_id: str | None,
    stance: str | None,
    source: str,
    who: str,
) -> Feedback:
    """Store one label as given (the caller has checked it) and flush, so it has its id."""
    row = Feedback(
        pmid=pmid,
        relevant=relevant,
        finding_id=finding_id,
        stance=stance,
        source=source,
        who=who,
        created_at=now,
    )
    session.add(row)
    session.flush()
    return row


def list_relevance_labels(session: Session) -> list[tuple[ArticleRecord, bool]]:
    """Each stored article with a relevance label, with its latest label."""
    latest: dict[str, bool] = {}
    rows = session.exec(
        select(Feedback.pmid, Feedback.relevant)
        .where(col(Feedback.relevant).is_not(None))
        .order_by(col(Feedback.id))
    )
    for pmid, relevant in rows:
        latest[pmid] = bool(relevant)
    out = []
    for pmid, relevant in latest.items():
        article = get_article(session, pmid)
        if article is not None:
            out.append((article_record(article), relevant))
    return out


def count_relevance_labels(session: Session) -> tuple[int, int]:
    """(number of relevance labels, newest label id): changes whenever a label is added."""
    count, newest = session.exec(
        select(func.count(), func.max(Feedback.id)).where(col(Feedback.relevant).is_not(None))
    ).one()
    return int(count or 0), int(newest or 0)
