"""Properties of the knowledge-base loader: any text gives a knowledge base or one
KnowledgeBaseError naming the place; never another exception."""

from __future__ import annotations

import os
import re

from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st

from litwatch.errors import KnowledgeBaseError
from litwatch.judging.knowledge import KnowledgeBase
from litwatch.judging.knowledge_file import DEFAULT_PATH, parse_knowledge_base

EXAMPLES = int(os.environ.get("LITWATCH_PROPERTY_EXAMPLES", "60"))
FAST = settings(max_examples=EXAMPLES, deadline=None, suppress_health_check=[HealthCheck.too_slow])
SHIPPED = DEFAULT_PATH.read_text(encoding="utf-8")
LINES = SHIPPED.splitlines()
ASSIGNMENTS = [i for i, line in enumerate(LINES) if re.match(r"^\s*[\w.]+\s*=", line)]
TOML_LITERALS = st.one_of(
    st.just('""'),
    st.just("[]"),
    st.just("{}"),
    st.just('[""]'),
    st.just("[1, 2]"),
    st.just("true"),
    st.just("nan"),
    st.integers(-(10**6), 10**6).map(str),
    st.floats(allow_nan=False, allow_infinity=False).map(repr),
    st.text("abcdefghij -", max_size=10).map(lambda s: f'"{s}"'),
    st.lists(st.text("abcxyz", max_size=5).map(lambda s: f'"{s}"'), max_size=3).map(
        lambda xs: "[" + ", ".join(xs) + "]"
    ),
    st.dates().map(str),
)


def _loads_or_names_the_place(text: str) -> KnowledgeBase | None:
    try:
        return parse_knowledge_base(text, source="kb.toml")
    except KnowledgeBaseError as exc:
        message = str(exc)
        assert message.startswith("kb.toml: ") and "\n" not in message.strip(), message
        return None


def test_the_shipped_file_loads() -> None:
    assert _loads_or_names_the_place(SHIPPED) is not None


@FAST
@given(st.text(max_size=300))
def test_any_text_gives_a_knowledge_base_or_an_error(text: str) -> None:
    _loads_or_names_the_place(text)


@FAST
@given(st.sampled_from(ASSIGNMENTS), TOML_LITERALS)
def test_a_changed_value_gives_a_knowledge_base_or_an_error_with_its_line(
    index: int, literal: str
) -> None:
    key = LINES[index].split("=", 1)[0]
    lines = [*LINES[:index], f"{key}= {literal}", *LINES[index + 1 :]]
    try:
        parse_knowledge_base("\n".join(lines), source="kb.toml")
    except KnowledgeBaseError as exc:
        assert re.match(r"^kb\.toml: (line \d+: |not valid TOML)", str(exc)), str(exc)


@FAST
@given(st.lists(st.sampled_from(range(len(LINES))), min_size=1, max_size=6, unique=True))
def test_lines_taken_out_give_a_knowledge_base_or_an_error(dropped: list[int]) -> None:
    _loads_or_names_the_place("\n".join(line for i, line in enumerate(LINES) if i not in dropped))
