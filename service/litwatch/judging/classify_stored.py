"""Classify stored articles and keep their judgements in the store.

The classifier itself (litwatch.judging.rules) is pure; this module reads articles, hands them to
it with what the store knows (trials already seen, the learned model), and writes the result:
the classification row, one evidence row per finding, the article's trial keys.
"""

from __future__ import annotations

import logging
from collections.abc import Callable, Sequence
from datetime import datetime

from sqlalchemy import delete, insert
from sqlmodel import Session, col, select

from litwatch.context import Context
from litwatch.judging.feedback import load_learned_model
from litwatch.judging.rules import classify_article, trial_keys
from litwatch.records import ArticleRecord, Classification
from litwatch.store.articles import article_record
from litwatch.store.tables import Article, ArticleFinding, ClassificationRow, TrialKey

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


def _rows(c: Classification, keys: Sequence[str], now: datetime) -> dict[str, list[dict]]:  # type: ignore[type-arg]
    return {
        "classification": [
            {
                "pmid": c.pmid,
                "relevance": c.relevance,
                "relevance_score": c.relevance_score,
                "design": c.design,
                "priority": c.priority,
                "explanation": c.explanation,
                "flags": list(c.flags),
                "data": c.to_dict(),
                "kb_version": c.kb_version,
                "model": c.model,
                "classified_at": now,
            }
        ],
        "finding": [
            {
                "pmid": c.pmid,
                "finding_id": j.finding_id,
                "stance": j.stance,
                "confidence": j.confidence,
            }
            for j in c.findings
        ],
        "trial": [{"key": k, "pmid": c.pmid} for k in dict.fromkeys(keys)],
    }


def save_classifications(
    session: Session, judged: Sequence[tuple[Classification, Sequence[str]]], now: datetime
) -> None:
    """Replace what the store holds for these articles' classifications, in a few statements."""
    if not judged:
        return
    pmids = [c.pmid for c, _ in judged]
    for model in (ClassificationRow, ArticleFinding, TrialKey):
        session.execute(delete(model).where(col(model.pmid).in_(pmids)))
    rows: dict[str, list[dict]] = {"classification": [], "finding": [], "trial": []}  # type: ignore[type-arg]
    for c, keys in judged:
        for name, values in _rows(c, keys, now).items():
            rows[name].extend(values)
    for model, name in (
        (ClassificationRow, "classification"),
        (ArticleFinding, "finding"),
        (TrialKey, "trial"),
    ):
        if rows[name]:
            session.execute(insert(model.__table__), rows[name])  # Core: no ORM bookkeeping


def classify_records(ctx: Context, session: Session, records: Sequence[ArticleRecord]) -> int:
    """Classify these (stored) records and store the results; returns how many were judged."""
    kb = ctx.knowledge_base
    learned = load_learned_model(session, kb)
    today = ctx.now().date()
    first: list[tuple[ArticleRecord, Classification, list[str]]] = []
    for record in records:
        try:
            c = classify_article(record, kb, learned=learned, today=today)
            first.append((record, c, trial_keys(record, c)))
        except Exception:  # one article that trips the classifier must not sink the rest
            log.exception("could not classify PMID %s", record.pmid)
    trials = known_trials(session, sorted({k for _, _, keys in first for k in keys}))
    judged = []
    for record, c, keys in first:
        same = {k: trials[k] for k in keys if k in trials and trials[k] != record.pmid}
        if same:
            # Knowing the trial was reported before changes the flags and the priority.
            c = classify_article(record, kb, known_trials=same, learned=learned, today=today)
        judged.append((c, keys))
    save_classifications(session, judged, ctx.now())
    session.flush()
    return len(judged)


def classify_pmids(
    ctx: Context,
    session: Session,
    pmids: Sequence[str],
    *,
    progress: Callable[[int], None] | None = None,
) -> int:
    """Classify these stored articles and store the results; returns how many were judged."""
    done = 0
    for chunk_start in range(0, len(pmids), 200):
        chunk = list(pmids[chunk_start : chunk_start + 200])
        rows = session.exec(select(Article).where(col(Article.pmid).in_(chunk))).all()
        done += classify_records(ctx, session, [article_record(row) for row in rows])
        if progress:
            progress(len(rows))
    return done


def get_classification(session: Session, pmid: str) -> Classification | None:
    row = session.exec(select(ClassificationRow).where(ClassificationRow.pmid == pmid)).first()
    return Classification.from_dict(row.data) if row else None
