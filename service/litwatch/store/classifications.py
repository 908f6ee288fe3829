"""The classifier's judgements as stored: one row per article, its stances, its trial keys.

A classification is written whole (``save_classifications`` replaces all three kinds of row
for its articles) and read back as the ``Classification`` it was made from. The rows of the
living evidence table (``list_stance_lines``, then ``classification_data`` for the rows shown)
are read here too, as the rows they are: turning them into evidence lines is the judging
stage's business.
"""

from __future__ import annotations

from collections.abc import Sequence
from dataclasses import dataclass
from datetime import date, datetime
from typing import Any

from sqlalchemy import delete, func, insert
from sqlmodel import Session, col, select

from litwatch.records import ArticleRecord, Classification
from litwatch.store.articles import article_record
from litwatch.store.tables import (
    FLAG_COLUMNS,
    Article,
    ArticleFinding,
    ClassificationRow,
    TrialKey,
)

IN_CHUNK = 900  # PMIDs a query names at once (SQLite's limit on parameters is far above it)


def get_classification(session: Session, pmid: str) -> Classification | None:
    """The stored classification of one article, or None when it was never classified."""
    row = session.exec(select(ClassificationRow).where(ClassificationRow.pmid == pmid)).first()
    return Classification.from_dict(row.data) if row else None


def get_classifications(session: Session, pmids: Sequence[str]) -> dict[str, Classification]:
    """PMID -> stored classification, for those of ``pmids`` classified."""
    if not pmids:
        return {}
    rows = session.exec(
        select(ClassificationRow).where(col(ClassificationRow.pmid).in_(list(pmids)))
    )
    return {row.pmid: Classification.from_dict(row.data) for row in rows}


def find_known_trials(session: Session, keys: Sequence[str]) -> dict[str, str]:
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


def study_size(value: Any) -> int | None:
    """A classification's n as the ``n`` column keeps it: a whole number, else None."""
    if isinstance(value, bool) or not isinstance(value, int | float):
        return None
    return int(value) if float(value).is_integer() else None


def _rows(c: Classification, keys: Sequence[str], now: datetime) -> dict[str, list[dict[str, Any]]]:
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
                **{name: bool(set(flags) & set(c.flags)) for name, flags in FLAG_COLUMNS.items()},
                "data": c.to_dict(),
                "n": study_size(c.numbers.get("n")),
                "kb_version": c.kb_version,
                "model": c.model,
                "rules_version": c.rules_version,
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
    """Replace what the store holds for these articles' classifications, in a few statements.

    ``judged`` pairs each classification with the trial keys its article names.
    """
    if not judged:
        return
    pmids = [c.pmid for c, _ in judged]
    for model in (ClassificationRow, ArticleFinding, TrialKey):
        session.execute(delete(model).where(col(model.pmid).in_(pmids)))
    rows: dict[str, list[dict[str, Any]]] = {"classification": [], "finding": [], "trial": []}
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


def list_article_records(session: Session, pmids: Sequence[str]) -> list[ArticleRecord]:
    """The stored records of these PMIDs (those stored), to classify them again."""
    rows = session.exec(select(Article).where(col(Article.pmid).in_(list(pmids)))).all()
    return [article_record(row) for row in rows]


def list_live_pmids(session: Session) -> list[str]:
    """Every stored article not deleted from PubMed."""
    return list(session.exec(select(Article.pmid).where(col(Article.deleted).is_(False))))


def list_pmids_judged_by_other_rules(session: Session, rules_version: str) -> list[str]:
    """Live articles whose classification other rules made (or that have none), in order."""
    judged = select(ClassificationRow.pmid).where(ClassificationRow.rules_version == rules_version)
    stmt = select(Article.pmid).where(
        col(Article.deleted).is_(False), col(Article.pmid).not_in(judged)
    )
    return list(session.exec(stmt.order_by(col(Article.pmid))))


def trial_reports(session: Session, pmids: Sequence[str]) -> dict[str, dict[str, list[str]]]:
    """PMID -> {other stored PMID: the trial keys they share}, for reports of one trial."""
    if not pmids:
        return {}
    mine = session.exec(
        select(TrialKey.key, TrialKey.pmid).where(col(TrialKey.pmid).in_(list(pmids)))
    )
    keys: dict[str, set[str]] = {}
    for key, pmid in mine:
        keys.setdefault(key, set()).add(pmid)
    out: dict[str, dict[str, list[str]]] = {p: {} for p in pmids}
    if not keys:
        return out
    rows = session.exec(
        select(TrialKey.key, TrialKey.pmid)
        .join(Article, col(Article.pmid) == col(TrialKey.pmid))
        .where(col(TrialKey.key).in_(sorted(keys)), col(Article.deleted).is_(False))
    )
    for key, other in rows:
        for pmid in keys[key]:
            if other != pmid:
                out[pmid].setdefault(other, []).append(key)
    return out


def list_on_topic_pmids(session: Session) -> list[str]:
    """Articles classified core or related: the only ones judged against findings."""
    return list(
        session.exec(
            select(ClassificationRow.pmid).where(col(ClassificationRow.relevance) != "off")
        )
    )


@dataclass(frozen=True, slots=True)
class StanceLine:
    """One stored article's stance on a finding, with what the evidence table counts it by.

    Narrow on purpose: the classification's JSON is not read (n is a column of its own), so
    a finding with thousands of reports is counted without decoding thousands of documents;
    the rest of a row (its numbers, its sentences) comes from ``classification_data``."""

    pmid: str
    date: date | None  # published, else created
    stance: str
    confidence: float
    design: str
    relevance: str
    retracted: bool
    title: str
    n: int | None  # numbers.n as a whole number, or None


def list_stance_lines(session: Session, finding_id: str) -> list[StanceLine]:
    """Each stored article not deleted with a stance on ``finding_id`` (in no order)."""
    stmt = (
        select(
            ArticleFinding.pmid,
            Article.pub_date,
            Article.create_date,
            ArticleFinding.stance,
            ArticleFinding.confidence,
            ClassificationRow.design,
            ClassificationRow.relevance,
            Article.retracted,
            Article.title,
            ClassificationRow.n,
        )
        .join(Article, col(Article.pmid) == col(ArticleFinding.pmid))
        .join(ClassificationRow, col(ClassificationRow.pmid) == col(ArticleFinding.pmid))
        .where(ArticleFinding.finding_id == finding_id, col(Article.deleted).is_(False))
    )
    return [
        StanceLine(pmid, pub or created, stance, conf, design, rel, bool(retracted), title, n)
        for pmid, pub, created, stance, conf, design, rel, retracted, title, n in session.exec(stmt)
    ]


def classification_data(session: Session, pmids: Sequence[str]) -> dict[str, dict[str, Any]]:
    """PMID -> the stored classification's JSON, for those of ``pmids`` classified."""
    found: dict[str, dict[str, Any]] = {}
    unique = sorted(set(pmids))
    for start in range(0, len(unique), IN_CHUNK):
        chunk = unique[start : start + IN_CHUNK]
        stmt = select(ClassificationRow.pmid, ClassificationRow.data).where(
            col(ClassificationRow.pmid).in_(chunk)
        )
        found.update((pmid, data) for pmid, data in session.exec(stmt))
    return found


def evidence_marks(session: Session, finding_id: str) -> tuple[Any, ...]:
    """What an evidence table of ``finding_id`` was read at: its number of judgements and
    the latest moments an article was stored, changed, retracted or deleted and one was
    classified. Equal marks, equal table; each is a step down an index (migration 0013).

    The moments are the writers' clocks: instances that share a store must keep their
    clocks in step (an instance behind the others could change an article at a moment
    before the latest, and a table read before it would still look current)."""
    judged = select(func.count()).where(ArticleFinding.finding_id == finding_id)
    changed = select(func.max(Article.updated_at))
    classified = select(func.max(ClassificationRow.classified_at))
    return tuple(session.exec(q).one() for q in (judged, changed, classified))  # type: ignore[call-overload]
