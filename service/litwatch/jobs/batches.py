"""A poll's batches stored: fetched one ahead, classified on the second core, exactly once.

Batch k+1 is fetched (in a thread, ``fetch_ahead``) while batch k is parsed and stored, and
batch k is classified (in a worker process, ``second_core``) while batch k+1 is stored. Each
batch is committed on its own before its classification is finished; a fault of the fetch
is raised at the batch it belongs to, after every batch before it is stored and judged.
"""

from __future__ import annotations

import logging
from collections.abc import Callable, Iterable
from dataclasses import dataclass

from sqlmodel import Session

from litwatch.context import Context
from litwatch.jobs.fetch_ahead import FetchAhead
from litwatch.jobs.poll_summary import PollSummary
from litwatch.jobs.second_core import Handed, SecondCore
from litwatch.judging.classify_stored import ChangedBatch, begin_changed, finish_changed
from litwatch.pubmed.parser import parse_pubmed_xml
from litwatch.records import ParsedBatch
from litwatch.store.articles import UpsertResult, mark_deleted, record_hits, upsert_articles
from litwatch.store.notices import links_in
from litwatch.store.quarantine import quarantine, release
from litwatch.store.tables import PollRun, SavedSearch

log = logging.getLogger(__name__)


@dataclass(slots=True)
class _Judging:
    """A stored batch whose classification is under way (in the worker, or not yet begun)."""

    changed: ChangedBatch
    handed: Handed | None  # the worker's share, if it has one


def store_batches(
    ctx: Context,
    session: Session,
    owner: tuple[SavedSearch, PollRun],
    batches: Iterable[tuple[object, bytes]],
    summary: PollSummary,
    advance: Callable[[int], None],
) -> None:
    """Store every batch; the next is fetched meanwhile, and the last one classified.

    Batch k+1 is fetched (in a thread) while batch k is parsed and stored, and batch k is
    classified (in the worker process) while batch k+1 is stored; batch k+1 is handed to
    the worker, then batch k's judgement finished and committed, before batch k+2 is
    stored. What is read to begin a judgement (notices, links, the learned model) does not
    depend on the judgements before it. Only this thread touches the session. A batch that
    brings notice links or deletions waits until the one before it is judged, so every
    judgement reads the store as a poll that does one thing at a time would leave it.
    """
    kb = ctx.knowledge_base
    answers = (xml for _, xml in batches)
    pending: _Judging | None = None
    with (
        FetchAhead(answers) as fetched,
        SecondCore(kb, enabled=ctx.settings.poll_classify_worker) as core,
    ):
        try:
            for xml in fetched:
                parsed = parse_pubmed_xml(xml)
                if pending is not None and _touches_others(parsed):
                    pending = _judge(ctx, session, core, pending)
                result = _store_batch(ctx, session, owner, parsed, summary)
                changed = begin_changed(session, result, parsed.articles, kb=kb, now=ctx.now())
                # Handed over before the last batch is finished, so the worker never idles.
                this = _Judging(changed, core.submit(changed.batch))
                if pending is not None:
                    pending = _judge(ctx, session, core, pending)
                pending = this
                if changed.others or this.handed is None:  # nothing to overlap it with
                    pending = _judge(ctx, session, core, this)
                advance(len(parsed.articles) + len(parsed.failed_pmids) + len(parsed.book_pmids))
        except BaseException:
            # The batch stored last is judged before the fault goes up, as it would have been
            # without the worker; a failure to judge it is logged and the fault goes on.
            if pending is not None:
                _judge_after_fault(ctx, session, core, pending)
            raise
        if pending is not None:
            _judge(ctx, session, core, pending)


def _touches_others(parsed: ParsedBatch) -> bool:
    """Whether storing this batch may change how the batch before it is judged."""
    return bool(parsed.deleted_pmids) or any(a.is_notice or links_in(a) for a in parsed.articles)


def _judge(ctx: Context, session: Session, core: SecondCore, judging: _Judging) -> _Judging | None:
    """The batch's judgement completed here, stored and committed; None: nothing pending."""
    first = core.first_pass(judging.changed.batch, judging.handed)
    finish_changed(session, judging.changed, first, kb=ctx.knowledge_base, now=ctx.now())
    return None


def _judge_after_fault(ctx: Context, session: Session, core: SecondCore, judging: _Judging) -> None:
    """Judge the batch stored last before the fault goes up; if the store is gone too, the
    next poll judges it (it classifies what is stored without a classification)."""
    try:
        session.rollback()  # whatever the fault left half-done in the session is not kept
        _judge(ctx, session, core, judging)
    except Exception as exc:  # the fault that got us here is the one to report
        session.rollback()
        log.warning("the batch stored last is left for the next poll to classify: %s", exc)


def _store_batch(
    ctx: Context,
    session: Session,
    owner: tuple[SavedSearch, PollRun],
    parsed: ParsedBatch,
    summary: PollSummary,
) -> UpsertResult:
    """One parsed batch upserted, counted and committed (not yet classified)."""
    search, run = owner
    now = ctx.now()
    result = upsert_articles(session, parsed.articles, now=now)
    record_hits(session, search.id, [a.pmid for a in parsed.articles], now=now)
    summary.deleted += mark_deleted(session, parsed.deleted_pmids, now=now)
    release(session, [a.pmid for a in parsed.articles] + parsed.deleted_pmids)
    for pmid, error in parsed.errors.items():
        log.warning("poll %s: PMID %s quarantined: %s", search.name, pmid, error)
    summary.quarantined += quarantine(session, search.id, parsed.errors, run_id=run.id, now=now)
    summary.new += len(result.new)
    summary.updated += len(result.updated)
    summary.failed += len(parsed.failed_pmids)
    summary.failed_pmids.extend(p for p in parsed.failed_pmids if p)
    session.commit()
    return result
