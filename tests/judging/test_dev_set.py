"""Floors on the dev set of real abstracts (../shared/eval/dev.jsonl), read in place.

The dev set is never copied here; where it is absent these tests skip. Each half has its own
floor: the issue's goal where the rules reach it, else the level they reach today, so a
change that scores lower on either half fails. Half 1 is the half the rules were tuned on;
half 2 was only ever checked. The README's table and the closing note say which goals fall
short.
"""

from __future__ import annotations

from functools import cache
from typing import Any

import pytest

from litwatch.judging.eval_report import format_report
from litwatch.judging.evaluate import evaluate
from litwatch.judging.gold import half_of, load_gold
from litwatch.judging.knowledge_file import load_knowledge_base
from tests.helpers.paths import SHARED

DEV_SET = SHARED / "eval" / "dev.jsonl"

GOALS = {
    "core_recall": 0.97,
    "core_precision": 0.92,
    "design": 0.85,
    "mrss_f1": 0.88,
    "mrss_stance": 0.88,
    "fvc_f1": 0.88,
    "fvc_stance": 0.88,
    "long_term_f1": 0.80,
    "n": 0.90,
    "confident_right": 0.95,
}
# Where a half falls short of a goal, the level it reaches (rounded down) is its floor.
SHORT_OF_GOAL = {
    1: {},
    2: {
        "core_recall": 0.93,
        "mrss_f1": 0.81,
        "mrss_stance": 0.77,
        "fvc_stance": 0.77,
        "long_term_f1": 0.50,
        "n": 0.82,
        "confident_right": 0.85,
    },
}


@cache
def scores(half: int) -> dict[str, Any]:
    if not DEV_SET.is_file():
        pytest.skip("../shared/eval/dev.jsonl is not beside this checkout")
    return evaluate(half_of(load_gold(DEV_SET), half), load_knowledge_base(), details=True)


def measures(r: dict[str, Any]) -> dict[str, float]:
    f = r["findings"]
    confident = [row for row in r["reliability"] if row["low"] >= 0.8]
    given = sum(row["judgements"] for row in confident)
    return {
        "core_recall": r["relevance_core"]["recall"],
        "core_precision": r["relevance_core"]["precision"],
        "design": r["design_accuracy"],
        "mrss_f1": f["mrss-improvement"]["f1"],
        "mrss_stance": f["mrss-improvement"]["stance_accuracy"] or 0.0,
        "fvc_f1": f["fvc-improvement"]["f1"],
        "fvc_stance": f["fvc-improvement"]["stance_accuracy"] or 0.0,
        "long_term_f1": f["long-term-benefit"]["f1"],
        "n": r["numbers"]["n"]["accuracy"] or 0.0,
        "confident_right": sum(row["right"] for row in confident) / given if given else 1.0,
    }


@pytest.mark.parametrize("half", [1, 2])
@pytest.mark.parametrize("measure", sorted(GOALS))
def test_each_half_holds_its_floor(half: int, measure: str) -> None:
    r = scores(half)
    floor = SHORT_OF_GOAL[half].get(measure, GOALS[measure])
    assert measures(r)[measure] >= floor, format_report(r)


@pytest.mark.parametrize("half", [1, 2])
def test_labelled_mrss_changes_are_all_right(half: int) -> None:
    # The FVC changes (three, all in half 2) are not read yet: the closing note says so.
    mrss = scores(half)["numbers"]["mrss_change"]
    assert mrss["labelled"] and mrss["right"] == mrss["labelled"], mrss
