"""Learning from relevance feedback: when a model is trained, what it stores, whether it helps."""

from __future__ import annotations

from functools import cache

import pytest

from litwatch.judging.gold import load_gold
from litwatch.judging.knowledge import KnowledgeBase
from litwatch.judging.knowledge_file import load_knowledge_base
from litwatch.judging.learned import Label, LearnedModel, cross_validate, train
from litwatch.judging.rules import classify_article
from tests.helpers.paths import TEST_DATA

DATA = TEST_DATA


@cache
def kb() -> KnowledgeBase:
    return load_knowledge_base()


@cache
def labels() -> tuple[Label, ...]:
    # A reader who wants only the core papers: "related" counts as not relevant to them.
    return tuple(
        Label.from_article(r.to_article(), r.relevance == "core")
        for r in load_gold(DATA / "gold.jsonl")
    )


def test_no_model_from_too_few_labels_or_one_class() -> None:
    assert train(labels()[:19], kb()) is None
    only_yes = [lab for lab in labels() if lab.relevant][:30]
    assert train(only_yes, kb()) is None
    assert cross_validate(labels()[:10], kb())["helps"] is False


def test_train_score_and_round_trip() -> None:
    model = train(labels(), kb())
    assert model is not None and model.n_labels == len(labels())
    restored = LearnedModel.from_bytes(model.to_bytes())
    assert restored == model
    on = next(lab for lab in labels() if lab.relevant).to_article()
    off = next(lab for lab in labels() if not lab.relevant).to_article()
    features = {"rule_score": 0.5}
    assert restored.score(on, features) > restored.score(off, features)
    c = classify_article(on, kb(), learned=restored)
    assert c.model == "rules+learned"
    assert any(r.startswith("learned relevance") for r in c.reasons)


def test_bytes_are_json_not_pickle() -> None:
    model = train(labels(), kb())
    assert model is not None
    assert model.to_bytes().startswith(b"{")
    with pytest.raises(ValueError):
        LearnedModel.from_bytes(b'{"format": "other"}')


@pytest.mark.parametrize(
    ("label", "p", "expected"),
    [
        ("core", 0.9, "core"),
        ("core", 0.1, "related"),
        ("related", 0.2, "off"),
        ("related", 0.5, "related"),
        ("off", 0.8, "related"),
        ("off", 0.5, "off"),
    ],
)
def test_adjust_moves_only_on_strong_doubt(label: str, p: float, expected: str) -> None:
    new_label, score = LearnedModel.adjust(label, 0.6, p)
    assert new_label == expected
    assert score == pytest.approx(0.5 * 0.6 + 0.5 * p, abs=1e-3)


def test_cross_validation_compares_rules_with_rules_plus_learned() -> None:
    result = cross_validate(labels(), kb(), folds=5)
    assert result["n"] == len(labels()) and result["folds"] == 5
    for key in ("rules", "learned"):
        assert 0.0 <= result[key]["f1"] <= 1.0 and 0.0 <= result[key]["accuracy"] <= 1.0
    assert isinstance(result["helps"], bool)
