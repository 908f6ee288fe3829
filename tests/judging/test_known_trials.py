"""A classification made again knowing the trials already stored: ``with_known_trials``
redoes only its last steps, and must give exactly what classifying the article again with
them gives (on our gold set, and on the dev set when it is there)."""

from __future__ import annotations

from datetime import date
from pathlib import Path

import pytest

from litwatch.judging.gold import load_gold
from litwatch.judging.knowledge_file import load_knowledge_base
from litwatch.judging.rules import classify_article, classify_drafted, trial_keys, with_known_trials
from tests.helpers.paths import REPO, SHARED

TODAY = date(2026, 12, 1)
SETS = [REPO / "tests" / "data" / "gold.jsonl", SHARED / "eval" / "dev.jsonl"]


@pytest.mark.parametrize("path", SETS, ids=["gold", "dev"])
def test_known_trials_redo_the_last_steps_as_a_full_classification_would(path: Path) -> None:
    if not path.is_file():
        pytest.skip(f"{path} is absent")
    kb = load_knowledge_base()
    changed = 0
    for record in load_gold(path):
        article = record.to_article()
        first, draft = classify_drafted(article, kb, today=TODAY)
        assert first.to_dict() == classify_article(article, kb, today=TODAY).to_dict()
        known = {key: "99999999" for key in trial_keys(article, first)}  # reported before
        again = classify_article(article, kb, known_trials=known, today=TODAY)
        redone = with_known_trials(article, kb, first, draft, known, TODAY)
        assert (redone.to_dict(), redone.reasons) == (again.to_dict(), again.reasons), article.pmid
        changed += again.to_dict() != first.to_dict()
        if again.flags:  # the reasons end with the flags, as `litwatch explain` shows them
            assert again.reasons[-1] == f"flags: {', '.join(again.flags)}"
            assert "same-trial:99999999" in again.flags or not known
    assert changed > 0  # some of them name a trial, and knowing it changed their flags
