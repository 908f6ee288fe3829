"""Classify stored articles and keep their judgements in the store.

The classifier itself (litwatch.judging.rules) is pure; this module hands it articles with what
the store knows (trials already seen, the learned model), and has the store write the result:
the classification row, one evidence row per finding, the article's trial keys.
"""

from __future__ import annotations

import logging
from collections.abc import Callable, Sequence
from dataclasses import dataclass
from datetime import date, datetime

from sqlmodel import Session

from litwatch.judging.feedback import load_learned_model
from litwatch.judging.knowledge import KnowledgeBase
from litwatch.judging.learned import LearnedModel
from litwatch.judging.notices import judge_notice
from litwatch.judging.rules import (
    RULES_VERSION,
    Draft,
    classify_drafted,
    trial_keys,
    with_known_trials,
)
from litwatch.records import ArticleRecord, Classification
from litwatch.store.articles import UpsertResult
from litwatch.store.classifications import (
    find_known_trials,
    get_classifications,
    list_article_records,
    save_classifications,
)
from litwatch.store.notices import linked_pmids, with_known_notices

log = logging.getLogger(__name__)

CHUNK = 200  # articles read and classified at a time


def classify_changed(
    session: Session,
    stored: UpsertResult,
    records: Sequence[ArticleRecord],
    *,
    kb: KnowledgeBase,
    now: datetime,
) -> int:
    """After an upsert: classify the records it added or changed, and commit.

    Called once the batch itself is committed: classification is derived data, and a failure
    there must not undo the stored records."""
    changed = begin_changed(session, stored, records, kb=kb, now=now)
    return finish_changed(session, changed, judge_first(changed.batch, kb), kb=kb, now=now)


@dataclass(slots=True)
class ChangedBatch:
    """An upserted batch whose classification has begun (see ``classify_changed``)."""

    batch: Batch
    others: list[str]  # PMIDs at the other end of a notice link, judged again at the end


def begin_changed(
    session: Session,
    stored: UpsertResult,
    records: Sequence[ArticleRecord],
    *,
    kb: KnowledgeBase,
    now: datetime,
) -> ChangedBatch:
    """The first half of ``classify_changed``: what the pure first pass needs."""
    changed = set(stored.new) | set(stored.updated)
    mine = [r for r in records if r.pmid in changed]
    # A notice takes its relevance from the article it notices, and an article learns from a
    # notice that it is retracted: judge the other end of each link again.
    others = (stored.linked | linked_pmids(session, sorted(changed))) - changed
    return ChangedBatch(begin_classification(session, mine, kb=kb, now=now), sorted(others))


def finish_changed(
    session: Session, changed: ChangedBatch, first: FirstPass, *, kb: KnowledgeBase, now: datetime
) -> int:
    """The second half of ``classify_changed``, given the first pass; commits."""
    judged = finish_classification(session, changed.batch, first, kb=kb, now=now)
    if changed.others:
        judged += classify_records(
            session, list_article_records(session, changed.others), kb=kb, now=now
        )
    session.commit()
    return judged


def classify_records(
    session: Session, records: Sequence[ArticleRecord], *, kb: KnowledgeBase, now: datetime
) -> int:
    """Classify these (stored) records and store the results; returns how many were judged.

    ``now`` stamps the rows, and its date is the "today" that ranks recent articles higher.
    Notices are judged after the articles they notice, through them (``judge_notice``).
    """
    batch = begin_classification(session, records, kb=kb, now=now)
    return finish_classification(session, batch, judge_first(batch, kb), kb=kb, now=now)


@dataclass(slots=True)
class Batch:
    """Records ready for the pure first pass: with what the store knows that the pass reads."""

    records: list[ArticleRecord]  # with their stored notices, articles before notices
    learned: LearnedModel | None
    today: date


# (index in Batch.records, classification, trial keys, its draft: see with_known_trials)
FirstPass = list[tuple[int, Classification, list[str], Draft]]


def begin_classification(
    session: Session, records: Sequence[ArticleRecord], *, kb: KnowledgeBase, now: datetime
) -> Batch:
    """Read what the first pass needs from the store."""
    learned = load_learned_model(session, kb)
    # With the links stored notices make, and the articles before the notices about them.
    known = sorted(with_known_notices(session, records), key=lambda r: r.is_notice)
    return Batch(known, learned, now.date())


def judge_first(batch: Batch, kb: KnowledgeBase) -> FirstPass:
    """The pure first pass over a batch: no store, so it may run in another process."""
    first: FirstPass = []
    for i, record in enumerate(batch.records):
        try:
            c, draft = classify_drafted(record, kb, learned=batch.learned, today=batch.today)
            first.append((i, c, trial_keys(record, c), draft))
        except Exception:  # one article that trips the classifier must not sink the rest
            log.exception("could not classify PMID %s", record.pmid)
    return first


_WORKER_KB: KnowledgeBase | None = None


def set_worker_kb(kb: KnowledgeBase) -> None:
    """Initialise a worker process that runs ``judge_first_in_worker``: its knowledge base."""
    global _WORKER_KB
    _WORKER_KB = kb


def judge_first_in_worker(batch: Batch) -> FirstPass:
    """``judge_first`` with the knowledge base the worker process was started with."""
    if _WORKER_KB is None:
        raise RuntimeError("the worker process was started without a knowledge base")
    return judge_first(batch, _WORKER_KB)


def finish_classification(
    session: Session, batch: Batch, first: FirstPass, *, kb: KnowledgeBase, now: datetime
) -> int:
    """What the first pass could not do: known trials, notices; then store the results."""
    today = batch.today
    judged_first = [(batch.records[i], c, keys, draft) for i, c, keys, draft in first]
    trials = find_known_trials(session, sorted({k for _, _, keys, _ in judged_first for k in keys}))
    noticed = sorted({p for r, _, _, _ in judged_first if r.is_notice for p in r.noticed_pmids})
    targets = get_classifications(session, noticed)
    judged = []
    for record, c, keys, draft in judged_first:
        same = {k: trials[k] for k in keys if k in trials and trials[k] != record.pmid}
        if record.is_notice:
            c, keys = judge_notice(c, record, targets), []  # a notice reports no trial
        elif same:
            # Knowing the trial was reported before changes the flags and the priority only.
            c = with_known_trials(record, kb, c, draft, same, today)
        c.rules_version = RULES_VERSION
        targets[c.pmid] = c
        judged.append((c, keys))
    save_classifications(session, judged, now)
    session.flush()
    return len(judged)


def classify_pmids(
    session: Session,
    pmids: Sequence[str],
    *,
    kb: KnowledgeBase,
    now: datetime,
    progress: Callable[[int], None] | None = None,
) -> int:
    """Classify these stored articles and store the results; returns how many were judged.

    ``progress`` is told how many articles each chunk read. Notices of these articles, and
    the articles these notices are about, are judged again too."""
    done = 0
    for chunk_start in range(0, len(pmids), CHUNK):
        records = list_article_records(session, pmids[chunk_start : chunk_start + CHUNK])
        done += classify_records(session, records, kb=kb, now=now)
        if progress:
            progress(len(records))
    others = sorted(linked_pmids(session, list(pmids)) - set(pmids))
    for chunk_start in range(0, len(others), CHUNK):
        records = list_article_records(session, others[chunk_start : chunk_start + CHUNK])
        done += classify_records(session, records, kb=kb, now=now)
    return done
