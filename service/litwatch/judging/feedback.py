"""People's labels on articles, and the learned relevance model trained from them."""

from __future__ import annotations

import logging
from datetime import datetime
from threading import Lock

from sqlalchemy import func
from sqlmodel import Session, col, select

from litwatch.errors import ConfigError, StoreError
from litwatch.judging.knowledge import KnowledgeBase
from litwatch.judging.learned import MIN_LABELS, Label, LearnedModel, cross_validate, train
from litwatch.records import ArticleRecord
from litwatch.store.articles import article_record, get_article
from litwatch.store.tables import Feedback

log = logging.getLogger(__name__)

STANCES = ("supports", "contradicts", "inconclusive", "addresses")

_cache_lock = Lock()
_cache: dict[tuple[str, int, int], LearnedModel | None] = {}


def add_feedback(
    session: Session,
    pmid: str,
    *,
    now: datetime,
    relevant: bool | None = None,
    finding_id: str | None = None,
    stance: str | None = None,
    source: str = "cli",
    who: str = "",
    known_findings: set[str] | None = None,
) -> Feedback:
    """Record a label; StoreError for an article not stored, ConfigError for a bad stance."""
    if get_article(session, pmid) is None:
        raise StoreError(f"PMID {pmid} is not in the store")
    if relevant is None and finding_id is None:
        raise ConfigError("say --relevant, --not-relevant, or --finding ID --stance S")
    if (finding_id is None) != (stance is None):
        raise ConfigError("--finding and --stance go together")
    if stance is not None and stance not in STANCES:
        raise ConfigError(f"--stance must be one of {', '.join(STANCES)}")
    if finding_id is not None and known_findings is not None and finding_id not in known_findings:
        raise ConfigError(f"unknown finding id {finding_id!r}")
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


def relevance_labels(session: Session) -> list[tuple[ArticleRecord, bool]]:
    """Each labelled article with its latest relevance label."""
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


def stance_corrections(session: Session, pmid: str) -> dict[str, str]:
    """finding id -> the stance a person set for this article (latest wins)."""
    rows = session.exec(
        select(Feedback.finding_id, Feedback.stance)
        .where(Feedback.pmid == pmid, col(Feedback.finding_id).is_not(None))
        .order_by(col(Feedback.id))
    )
    return {f: s for f, s in rows if f and s}


def label_state(session: Session) -> tuple[int, int]:
    """(number of relevance labels, newest label id): changes whenever a label is added."""
    count, newest = session.exec(
        select(func.count(), func.max(Feedback.id)).where(col(Feedback.relevant).is_not(None))
    ).one()
    return int(count or 0), int(newest or 0)


def load_learned_model(session: Session, kb: KnowledgeBase) -> LearnedModel | None:
    """The learned relevance model, if there are enough labels and cross-validation says it
    helps; trained once per set of labels (cached in the process)."""
    state = label_state(session)
    if state[0] < MIN_LABELS:
        return None
    key = (kb.version, *state)
    with _cache_lock:
        if key in _cache:
            return _cache[key]
    labels = [Label.from_article(a, relevant) for a, relevant in relevance_labels(session)]
    verdict = cross_validate(labels, kb)
    model = train(labels, kb) if verdict.get("helps") else None
    log.info(
        "learned relevance model %s (%d labels; rules F1 %s, learned F1 %s)",
        "in use" if model else "not used",
        len(labels),
        (verdict.get("rules") or {}).get("f1"),
        (verdict.get("learned") or {}).get("f1"),
    )
    with _cache_lock:
        _cache[key] = model
    return model
