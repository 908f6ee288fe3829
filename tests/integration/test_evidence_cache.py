"""The evidence tables a process keeps: read again whenever the store changes what they show
(a new report, a retraction, a deletion, a classification made again), kept otherwise, and
never older than their age limit."""

from __future__ import annotations

from collections.abc import Iterator
from datetime import timedelta

import pytest
from sqlmodel import Session, select

from litwatch.context import Context
from litwatch.judging.evidence_cache import EvidenceCache, detailed_rows
from litwatch.records import Classification
from litwatch.store.articles import mark_deleted
from litwatch.store.classifications import save_classifications
from litwatch.store.tables import ClassificationRow
from tests.integration.records import FOLLOW_UP, RETRACTION, TO_RETRACT, TRIAL
from tests.integration.test_marks import NOW, make_ctx, store

FINDING = "mrss-improvement"


class Ticks:
    def __init__(self) -> None:
        self.now = 0.0

    def __call__(self) -> float:
        return self.now


@pytest.fixture
def ctx(migrated_sqlite_url: str) -> Iterator[Context]:
    context = make_ctx(migrated_sqlite_url)
    yield context
    context.close()


def read(ctx: Context, cache: EvidenceCache) -> dict[str, tuple[str, bool, bool]]:
    with Session(ctx.engine) as s:
        table = cache.table(s, FINDING)
    return {r.pmid: (r.stance, r.counted, r.retracted) for r in table.rows}


def test_a_table_is_kept_until_the_store_changes_what_it_shows(ctx: Context) -> None:
    cache = EvidenceCache(clock=Ticks())
    store(ctx, [TRIAL], now=NOW)
    first = read(ctx, cache)
    assert set(first) == {TRIAL.pmid} and cache.reads == 1
    assert read(ctx, cache) == first and cache.reads == 1  # nothing changed: kept

    store(ctx, [TO_RETRACT], now=NOW + timedelta(seconds=1))  # a new report
    assert set(read(ctx, cache)) == {TRIAL.pmid, TO_RETRACT.pmid} and cache.reads == 2

    store(ctx, [RETRACTION], now=NOW + timedelta(seconds=2))  # its retraction
    assert read(ctx, cache)[TO_RETRACT.pmid][1:] == (False, True) and cache.reads == 3

    with Session(ctx.engine) as s:  # the same classification, its stance changed
        row = s.exec(select(ClassificationRow).where(ClassificationRow.pmid == TRIAL.pmid)).one()
        c = Classification.from_dict(row.data)
        c.findings[0].stance = "inconclusive"
        save_classifications(s, [(c, [])], NOW + timedelta(seconds=3))
        s.commit()
    assert read(ctx, cache)[TRIAL.pmid][0] == "inconclusive" and cache.reads == 4

    with Session(ctx.engine) as s:
        mark_deleted(s, [TRIAL.pmid], now=NOW + timedelta(seconds=4))
        s.commit()
    assert TRIAL.pmid not in read(ctx, cache) and cache.reads == 5
    assert read(ctx, cache) and cache.reads == 5


def test_a_table_past_its_age_is_read_again(ctx: Context) -> None:
    ticks = Ticks()
    cache = EvidenceCache(max_age=60, clock=ticks)
    store(ctx, [TRIAL], now=NOW)
    read(ctx, cache)
    ticks.now = 59
    read(ctx, cache)
    assert cache.reads == 1
    ticks.now = 61
    read(ctx, cache)
    assert cache.reads == 2


def test_details_are_filled_on_copies(ctx: Context) -> None:
    cache = EvidenceCache()
    store(ctx, [TRIAL, FOLLOW_UP], now=NOW)
    with Session(ctx.engine) as s:
        table = cache.table(s, FINDING)
        shown = detailed_rows(s, FINDING, table.rows)
    assert all(r.evidence for r in shown) and not any(r.evidence for r in table.rows)
    assert [r.pmid for r in shown] == [r.pmid for r in table.rows]
    assert cache.table(Session(ctx.engine), FINDING) is table  # the kept table, unchanged
