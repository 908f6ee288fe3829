"""People's labels on articles, checked before they are stored, and the learned relevance
model trained from them."""

from __future__ import annotations

import logging
from datetime import datetime
from threading import Lock

from sqlmodel import Session

from litwatch.errors import ConfigError, StoreError
from litwatch.judging.knowledge import KnowledgeBase
from litwatch.judging.learned import MIN_LABELS, Label, LearnedModel, cross_validate, train
from litwatch.store.articles import get_article
from litwatch.store.feedback import add_feedback_row, count_relevance_labels, list_relevance_labels
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
    return add_feedback_row(
        session,
        pmid,
        now=now,
        relevant=relevant,
        finding_id=finding_id,
        stance=stance,
        source=source,
        who=who,
    )


def load_learned_model(session: Session, kb: KnowledgeBase) -> LearnedModel | None:
    """The learned relevance model, if there are enough labels and cross-validation says it
    helps; trained once per set of labels (cached in the process)."""
    state = count_relevance_labels(session)
    if state[0] < MIN_LABELS:
        return None
    key = (kb.version, *state)
    with _cache_lock:
        if key in _cache:
            return _cache[key]
    labels = [Label.from_article(a, relevant) for a, relevant in list_relevance_labels(session)]
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
