"""The knowledge base: the shipped file, validation errors that name line and key, changes."""

from __future__ import annotations

from dataclasses import replace
from pathlib import Path

import pytest

from litwatch.errors import KnowledgeBaseError
from litwatch.judging.knowledge import changed_findings
from litwatch.judging.knowledge_file import DEFAULT_PATH, load_knowledge_base

SIX = {
    "mrss-improvement",
    "fvc-improvement",
    "iga-mrss-correlation",
    "low-ig-better-response",
    "long-term-benefit",
    "multicentre-rct-needed",
}

MINIMAL = """
[topic]
intervention = ["drug x"]
condition = ["disease y"]

[[finding]]
id = "score-falls"
kind = "effect"
statement = "Drug X lowers the score."
supports_direction = "decrease"
sources = [{ citation = "Someone 2020", pmid = "123" }]
[finding.outcome]
name = "score"
terms = ["score"]
"""


def write(tmp_path: Path, text: str) -> Path:
    path = tmp_path / "kb.toml"
    path.write_text(text, encoding="utf-8")
    return path


def test_default_holds_the_six_findings() -> None:
    kb = load_knowledge_base()
    assert {f.id for f in kb.findings} == SIX
    assert len(kb.version) == 12 and int(kb.version, 16) >= 0
    mrss = kb.get("mrss-improvement")
    assert mrss is not None and mrss.supports_direction == "decrease"
    assert "modified rodnan skin score" in mrss.outcome.terms
    fvc = kb.get("fvc-improvement")
    assert fvc is not None and fvc.supports_direction == "increase"
    question = kb.get("multicentre-rct-needed")
    assert question is not None and question.kind == "open-question"
    assert question.supports_direction == "addressed"
    assert "rituximab" in kb.topic.intervention and "systemic sclerosis" in kb.topic.condition


def test_version_is_stable_and_follows_content(tmp_path: Path) -> None:
    assert load_knowledge_base().version == load_knowledge_base(DEFAULT_PATH).version
    one = load_knowledge_base(write(tmp_path, MINIMAL))
    # Comments and layout do not change the version; content does.
    assert load_knowledge_base(write(tmp_path, "# note\n" + MINIMAL)).version == one.version
    other = load_knowledge_base(write(tmp_path, MINIMAL.replace("lowers", "reduces")))
    assert other.version != one.version


@pytest.mark.parametrize(
    ("change", "line", "key"),
    [
        (('statement = "Drug X lowers the score."\n', ""), 6, "statement"),
        (('kind = "effect"', 'kind = "hunch"'), 8, "kind"),
        (('supports_direction = "decrease"', 'supports_direction = "up"'), 10,
         "supports_direction"),
        (('terms = ["score"]', 'terms = "score"'), 14, "outcome.terms"),
        (('pmid = "123"', 'pmid = "PMC1"'), 11, "sources"),
        (('id = "score-falls"', 'id = "Score Falls"'), 7, "id"),
        (('kind = "effect"', 'kind = "effect"\ncolour = "red"'), 9, "colour"),
    ],
)  # fmt: skip
def test_errors_name_line_and_key(
    tmp_path: Path, change: tuple[str, str], line: int, key: str
) -> None:
    text = MINIMAL.replace(*change)
    with pytest.raises(KnowledgeBaseError) as info:
        load_knowledge_base(write(tmp_path, text))
    message = str(info.value)
    assert f"line {line}:" in message
    assert f"key '{key}'" in message


def test_bad_toml_names_the_line(tmp_path: Path) -> None:
    broken = MINIMAL.replace('condition = ["disease y"]', "condition = [")
    with pytest.raises(KnowledgeBaseError, match="line 6"):  # where TOML notices
        load_knowledge_base(write(tmp_path, broken))


def test_duplicate_id_and_missing_file(tmp_path: Path) -> None:
    block = MINIMAL[MINIMAL.index("[[finding]]") :]
    with pytest.raises(KnowledgeBaseError, match="duplicate finding id"):
        load_knowledge_base(write(tmp_path, MINIMAL + block))
    with pytest.raises(KnowledgeBaseError, match="cannot read"):
        load_knowledge_base(tmp_path / "absent.toml")


def test_changed_findings() -> None:
    kb = load_knowledge_base()
    assert changed_findings(kb, kb) == set()
    fvc = kb.get("fvc-improvement")
    assert fvc is not None
    edited = replace(
        kb, findings=tuple(replace(f, statement="x") if f is fvc else f for f in kb.findings)
    )
    assert changed_findings(kb, edited) == {"fvc-improvement"}
    fewer = replace(kb, findings=tuple(f for f in kb.findings if f.id != "long-term-benefit"))
    assert changed_findings(kb, fewer) == {"long-term-benefit"}
    assert changed_findings(fewer, kb) == {"long-term-benefit"}
    wider = replace(kb, topic=replace(kb.topic, condition=(*kb.topic.condition, "morphea")))
    assert changed_findings(kb, wider) == SIX
