"""Classify stored articles and keep their judgements in the store.

The classifier itself (litwatch.classify) is pure; this module reads articles, hands them to
it with what the store knows (trials already seen, the learned model), and writes the result:
the classification row, one evidence row per finding, the article's trial keys.
"""

from __future__ import annotations

import logging
from collections.abc import Callable, Sequence

from sqlalchemy import delete
from sqlmodel import Session, col, select

from litwatch import store
from litwatch.classify import classify_article, trial_keys
from litwatch.context import Context
from litwatch.feedback_store import load_learned_model
from litwatch.models import Article, ArticleFinding, ClassificationRow, TrialKey
from litwatch.records import Classification

log = logging.getLogger(__name__)


def known_trials(session: Session, keys: Sequence[str]) -> dict[str, str]:
    """Trial key -> the first stored PMID that names it."""
    if not keys:
        return {}
    rows = session.exec(
        select(TrialKey.key, TrialKey.pmid)
        .where(col(TrialKey.key).in_(list(keys)))
        .order_by(col(TrialKey.pmid))
    )
    found: dict[str, str] = {}
    for key, pmid in rows:
        found.setdefault(key, pmid)
    return found


def save_classification(session: Session, c: Classification, keys: Sequence[str], now) -> None:  # type: ignore[no-untyped-def]
    """Replace what the store holds for this article's classification."""
    session.execute(delete(ClassificationRow).where(col(ClassificationRow.pmid) == c.pmid))
    session.execute(delete(ArticleFinding).where(col(ArticleFinding.pmid) == c.pmid))
    session.execute(delete(TrialKey).where(col(TrialKey.pmid) == c.pmid))
    session.add(
        ClassificationRow(
            pmid=c.pmid,
            relevance=c.relevance,
            relevance_score=c.relevance_score,
            design=c.design,
            priority=c.priority,
            explanation=c.explanation,
            flags=list(c.flags),
            data=c.to_dict(),
            kb_version=c.kb_version,
            model=c.model,
            classified_at=now,
        )
    )
    for j in c.findings:
        session.add(
            ArticleFinding(
                pmid=c.pmid, finding_id=j.finding_id, stance=j.stance, confidence=j.confidence
            )
        )
    for key in dict.fromkeys(keys):
        session.add(TrialKey(key=key, pmid=c.pmid))


def classify_pmids(
    ctx: Context,
    session: Session,
    pmids: Sequence[str],
    *,
    progress: Callable[[int], None] | None = None,
) -> int:
    """Classify these stored articles and store the results; returns how many were judged."""
    kb = ctx.knowledge_base
    learned = load_learned_model(session, kb)
    today = ctx.now().date()
    done = 0
    for chunk_start in range(0, len(pmids), 200):
        chunk = list(pmids[chunk_start : chunk_start + 200])
        rows = session.exec(select(Article).where(col(Article.pmid).in_(chunk))).all()
        for row in rows:
            record = store.article_record(row)
            try:
                c = classify_article(record, kb, known_trials=None, learned=learned, today=today)
                keys = trial_keys(record, c)
                trials = {k: p for k, p in known_trials(session, keys).items() if p != row.pmid}
                if trials:
                    c = classify_article(
                        record, kb, known_trials=trials, learned=learned, today=today
                    )
            except Exception:  # one article that trips the classifier must not sink the rest
                log.exception("could not classify PMID %s", row.pmid)
                continue
            save_classification(session, c, keys, ctx.now())
            done += 1
        session.flush()
        if progress:
            progress(len(rows))
    return done


def get_classification(session: Session, pmid: str) -> Classification | None:
    row = session.exec(select(ClassificationRow).where(ClassificationRow.pmid == pmid)).first()
    return Classification.from_dict(row.data) if row else None
