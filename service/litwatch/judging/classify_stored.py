"""Classify stored articles and keep their judgements in the store.

The classifier itself (litwatch.judging.rules) is pure; this module hands it articles with what
the store knows (trials already seen, the learned model), and has the store write the result:
the classification row, one evidence row per finding, the article's trial keys.
"""

from __future__ import annotations

import logging
from collections.abc import Callable, Sequence
from datetime import datetime

from sqlmodel import Session

from litwatch.judging.feedback import load_learned_model
from litwatch.judging.knowledge import KnowledgeBase
from litwatch.judging.notices import judge_notice
from litwatch.judging.rules import RULES_VERSION, classify_article, trial_keys
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
    changed = set(stored.new) | set(stored.updated)
    mine = [r for r in records if r.pmid in changed]
    judged = classify_records(session, mine, kb=kb, now=now)
    # A notice takes its relevance from the article it notices, and an article learns from a
    # notice that it is retracted: judge the other end of each link again.
    others = (stored.linked | linked_pmids(session, sorted(changed))) - changed
    if others:
        judged += classify_records(
            session, list_article_records(session, sorted(others)), kb=kb, now=now
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
    learned = load_learned_model(session, kb)
    today = now.date()
    # With the links stored notices make, and the articles before the notices about them.
    known = sorted(with_known_notices(session, records), key=lambda r: r.is_notice)
    first: list[tuple[ArticleRecord, Classification, list[str]]] = []
    for record in known:
        try:
            c = classify_article(record, kb, learned=learned, today=today)
            first.append((record, c, trial_keys(record, c)))
        except Exception:  # one article that trips the classifier must not sink the rest
            log.exception("could not classify PMID %s", record.pmid)
    trials = find_known_trials(session, sorted({k for _, _, keys in first for k in keys}))
    noticed = sorted({p for r, _, _ in first if r.is_notice for p in r.noticed_pmids})
    targets = get_classifications(session, noticed)
    judged = []
    for record, c, keys in first:
        same = {k: trials[k] for k in keys if k in trials and trials[k] != record.pmid}
        if record.is_notice:
            c, keys = judge_notice(c, record, targets), []  # a notice reports no trial
        elif same:
            # Knowing the trial was reported before changes the flags and the priority.
            c = classify_article(record, kb, known_trials=same, learned=learned, today=today)
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
