"""The classifier measured on our gold set and on a held-out set written after the rules."""

from __future__ import annotations

import json
from functools import cache
from pathlib import Path
from typing import Any

import pytest

from litwatch.judging.eval_report import format_report
from litwatch.judging.evaluate import evaluate
from litwatch.judging.gold import GoldError, half_of, load_gold
from litwatch.judging.knowledge_file import load_knowledge_base
from tests.helpers.paths import TEST_DATA

DATA = TEST_DATA

# What the rules reach today; a change that scores lower fails here. The issue's targets
# (core recall >= 0.97, precision >= 0.90, finding F1 >= 0.85, stance >= 0.85) are lower.
GOLD_FLOOR = {
    "core_recall": 1.0,
    "core_precision": 0.98,
    "any_f1": 0.99,
    "design": 0.97,
    "finding_f1": 0.95,
    "stance": 0.99,
}
# The held-out set was written after the rules were frozen, in other voices; its floor is
# the issue's targets, which it met at the freeze.
HELDOUT_FLOOR = {
    "core_recall": 0.97,
    "core_precision": 0.90,
    "any_f1": 0.95,
    "design": 0.80,
    "finding_f1": 0.85,
    "stance": 0.85,
}


@cache
def result(name: str) -> dict[str, Any]:
    return evaluate(load_gold(DATA / name), load_knowledge_base())


def test_gold_set_is_big_enough_and_covers_every_label() -> None:
    records = load_gold(DATA / "gold.jsonl")
    assert len(records) >= 150
    assert {r.relevance for r in records} == {"core", "related", "off"}
    stances = {s for r in records for s in r.findings.values()}
    assert stances == {"supports", "contradicts", "inconclusive", "addresses"}
    assert len(load_gold(DATA / "heldout.jsonl")) >= 40


@pytest.mark.parametrize(
    ("name", "floor"), [("gold.jsonl", GOLD_FLOOR), ("heldout.jsonl", HELDOUT_FLOOR)]
)
def test_scores_stay_above_the_floor(name: str, floor: dict[str, float]) -> None:
    r = result(name)
    report = format_report(r)
    assert r["relevance_core"]["recall"] >= floor["core_recall"], report
    assert r["relevance_core"]["precision"] >= floor["core_precision"], report
    assert r["relevance_any"]["f1"] >= floor["any_f1"], report
    assert r["design_accuracy"] >= floor["design"], report
    for fid, scores in r["findings"].items():
        if scores["n"] >= 3:  # one or two examples make a score of chance, not of skill
            assert scores["f1"] >= floor["finding_f1"], (fid, report)
            assert scores["stance_accuracy"] >= floor["stance"], (fid, report)


def test_json_shape() -> None:
    r = result("gold.jsonl")
    assert r["n"] == len(load_gold(DATA / "gold.jsonl"))
    for key in ("relevance_core", "relevance_any"):
        assert set(r[key]) == {"precision", "recall", "f1"}
    assert set(r["findings"]["mrss-improvement"]) == {
        "precision", "recall", "f1", "stance_accuracy", "n",
    }  # fmt: skip
    assert set(r["confusion"]) == {"relevance", "design"}
    assert sum(sum(row.values()) for row in r["confusion"]["relevance"].values()) == r["n"]
    assert "errors" not in r
    json.dumps(r)


def test_details_list_disagreements() -> None:
    records = load_gold(DATA / "gold.jsonl")[:5]
    r = evaluate(records, load_knowledge_base(), details=True)
    assert isinstance(r["errors"], list)


def test_text_report() -> None:
    text = format_report(result("gold.jsonl"))
    assert "relevance = core" in text and "design accuracy" in text
    assert "mrss-improvement" in text and "relevance confusion" in text


@pytest.mark.parametrize(
    ("line", "message"),
    [
        ("not json", "line 2"),
        ('{"id": "x", "title": "t", "abstract": "a"}', "'relevance'"),
        ('{"id": "x", "title": "t", "abstract": "a", "relevance": "maybe"}', "'relevance'"),
        ('{"id": "x", "title": "t", "abstract": "a", "relevance": "off", "design": "poll"}',
         "'design'"),
        ('{"id": "x", "title": "t", "abstract": "a", "relevance": "core", '
         '"findings": {"f": {"stance": "likes"}}}', "'stance'"),
        ('{"id": "x", "title": "t", "abstract": "a", "relevance": "core", "mesh": "SSc"}',
         "'mesh'"),
        ('{"id": "g", "title": "t", "abstract": "a", "relevance": "core"}', "duplicate"),
    ],
)  # fmt: skip
def test_bad_gold_lines_are_named(tmp_path: Path, line: str, message: str) -> None:
    path = tmp_path / "gold.jsonl"
    good = '{"id": "g", "title": "t", "abstract": "a", "relevance": "core"}'
    path.write_text(good + "\n" + line + "\n", encoding="utf-8")
    with pytest.raises(GoldError) as info:
        load_gold(path)
    assert "line 2" in str(info.value) and message in str(info.value)


def test_details_carry_each_record_and_the_deciding_sentence() -> None:
    records = load_gold(DATA / "gold.jsonl")
    r = evaluate(records, load_knowledge_base(), details=True)
    assert [x["id"] for x in r["records"]] == [g.id for g in records]
    for error in r["errors"]:
        assert {"id", "field", "expected", "got", "sentence"} <= set(error)
        assert error["expected"] != error["got"]
    judged = [f for x in r["records"] for f in x["findings"].values() if f["got"]]
    assert judged and all(f["sentence"] for f in judged)


def test_reliability_counts_every_stance_given() -> None:
    r = evaluate(load_gold(DATA / "gold.jsonl"), load_knowledge_base(), details=True)
    given = sum(1 for x in r["records"] for f in x["findings"].values() if f["got"])
    assert sum(row["judgements"] for row in r["reliability"]) == given
    right = sum(
        1
        for x in r["records"]
        for f in x["findings"].values()
        if f["got"] and f["got"] == f["expected"]
    )
    assert sum(row["right"] for row in r["reliability"]) == right


def test_halves_split_each_label_in_two_and_cover_the_file() -> None:
    records = load_gold(DATA / "gold.jsonl")
    one, two = half_of(records, 1), half_of(records, 2)
    assert {r.id for r in one} | {r.id for r in two} == {r.id for r in records}
    assert not {r.id for r in one} & {r.id for r in two}
    for label in ("core", "related", "off"):
        a = sum(r.relevance == label for r in one)
        b = sum(r.relevance == label for r in two)
        assert abs(a - b) <= 1
    assert [r.id for r in half_of(records, 1)] == [r.id for r in one]  # fixed


def test_numbers_are_scored_where_labelled(tmp_path: Path) -> None:
    path = tmp_path / "gold.jsonl"
    path.write_text(
        json.dumps({"id": "n1", "title": "Rituximab in systemic sclerosis: an open trial",
                    "abstract": "Twelve patients with diffuse SSc received rituximab. The mRSS "
                    "fell from 20.0 at baseline to 14.5 at 12 months (p = 0.01).",
                    "relevance": "core", "n": 12, "mrss_change": -5.5, "fvc_change": None})
        + "\n",
        encoding="utf-8",
    )  # fmt: skip
    r = evaluate(load_gold(path), load_knowledge_base(), details=True)
    assert set(r["records"][0]["numbers"]) == {"n", "mrss_change"}
    got = r["records"][0]["numbers"]["mrss_change"]["got"]
    right = isinstance(got, float) and abs(got + 5.5) <= 0.1
    assert r["numbers"]["mrss_change"]["labelled"] == 1
    assert r["numbers"]["mrss_change"]["right"] == int(right)
    assert r["numbers"]["fvc_change"]["labelled"] == 0
