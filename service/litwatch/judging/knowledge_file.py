"""Reading a knowledge base from its TOML file, and checking it.

``findings/default.toml`` ships with the package. A malformed file is reported as a
``KnowledgeBaseError`` that names the file, the line and the key, so whoever edits the
findings can fix it without reading this code.
"""

from __future__ import annotations

import re
import tomllib
from pathlib import Path
from typing import Any

from litwatch.errors import KnowledgeBaseError
from litwatch.judging.knowledge import (
    DESIGNS,
    DIRECTIONS,
    KINDS,
    Finding,
    KnowledgeBase,
    Outcome,
    Source,
    Topic,
    content_version,
)

DEFAULT_PATH = Path(__file__).resolve().parent / "findings" / "default.toml"

_ID = re.compile(r"^[a-z0-9][a-z0-9-]*$")


def load_knowledge_base(path: Path | None = None) -> KnowledgeBase:
    """Read and validate a knowledge-base file; None means the shipped default."""
    path = DEFAULT_PATH if path is None else Path(path)
    try:
        text = path.read_text(encoding="utf-8")
    except OSError as exc:
        raise KnowledgeBaseError(f"{path}: cannot read the knowledge base: {exc}") from exc
    return parse_knowledge_base(text, source=str(path))


def parse_knowledge_base(text: str, *, source: str = "<string>") -> KnowledgeBase:
    """Validate knowledge-base TOML text; errors name the file, line and key."""
    try:
        data = tomllib.loads(text)
    except tomllib.TOMLDecodeError as exc:
        raise KnowledgeBaseError(f"{source}: not valid TOML: {exc}") from exc
    locate = _Locator(text, source)
    raw_findings = data.get("finding")
    if not isinstance(raw_findings, list) or not raw_findings:
        raise locate.error(None, "finding", "at least one [[finding]] table is required")
    topic = _topic(data.get("topic", {}), locate)
    findings: list[Finding] = []
    seen: set[str] = set()
    for index, raw in enumerate(raw_findings):
        finding = _finding(raw, index, locate)
        if finding.id in seen:
            raise locate.error(index, "id", f"duplicate finding id {finding.id!r}")
        seen.add(finding.id)
        findings.append(finding)
    name = data.get("name", "")
    if not isinstance(name, str):
        raise locate.error(None, "name", "must be a string")
    return KnowledgeBase(
        findings=tuple(findings),
        version=content_version(tuple(findings), topic),
        topic=topic,
        name=name,
    )


class _Locator:
    """Finds the line of a key in the source text, for error messages."""

    def __init__(self, text: str, source: str) -> None:
        self.lines = text.splitlines()
        self.source = source
        self.starts = [i for i, line in enumerate(self.lines) if line.strip() == "[[finding]]"]

    def line_of(self, index: int | None, key: str) -> int:
        start = self.starts[index] if index is not None and index < len(self.starts) else 0
        end = len(self.lines)
        if index is not None and index + 1 < len(self.starts):
            end = self.starts[index + 1]
        leaf = key.rsplit(".", 1)[-1]
        pattern = re.compile(rf"^\s*(?:{re.escape(leaf)}\s*=|\[[\w.]*{re.escape(leaf)}\])")
        for i in range(start, end):
            if pattern.match(self.lines[i]):
                return i + 1
        return start + 1

    def error(self, index: int | None, key: str, message: str) -> KnowledgeBaseError:
        where = f"finding #{index + 1}, " if index is not None else ""
        line = self.line_of(index, key)
        return KnowledgeBaseError(f"{self.source}: line {line}: {where}key {key!r}: {message}")


def _terms(value: Any, index: int | None, key: str, locate: _Locator) -> tuple[str, ...]:
    if not isinstance(value, list) or not all(isinstance(t, str) and t.strip() for t in value):
        raise locate.error(index, key, "must be a list of non-empty strings")
    return tuple(t.strip().lower() for t in value)


def _text(raw: dict[str, Any], key: str, index: int, locate: _Locator) -> str:
    value = raw.get(key)
    if not isinstance(value, str) or not value.strip():
        raise locate.error(index, key, "is required and must be a non-empty string")
    return value.strip()


def _topic(raw: Any, locate: _Locator) -> Topic:
    if not isinstance(raw, dict):
        raise locate.error(None, "topic", "must be a table")
    lists = {
        key: _terms(raw.get(key, []), None, f"topic.{key}", locate)
        for key in (
            "intervention",
            "condition",
            "condition_exclude",
            "comparators",
            "mixed_population",
        )
    }
    unknown = set(raw) - set(lists)
    if unknown:
        raise locate.error(None, sorted(unknown)[0], "unknown key in [topic]")
    return Topic(**lists)


def _finding(raw: Any, index: int, locate: _Locator) -> Finding:
    if not isinstance(raw, dict):
        raise locate.error(index, "finding", "must be a table")
    known = {
        "id", "statement", "kind", "sources", "outcome", "supports_direction",
        "context", "min_months", "designs", "all_of",
    }  # fmt: skip
    unknown = set(raw) - known
    if unknown:
        raise locate.error(index, sorted(unknown)[0], "unknown key")
    fid = _text(raw, "id", index, locate)
    if not _ID.match(fid):
        raise locate.error(index, "id", "use lower-case letters, digits and hyphens")
    kind = _text(raw, "kind", index, locate)
    if kind not in KINDS:
        raise locate.error(index, "kind", f"must be one of {', '.join(KINDS)}")
    direction = _text(raw, "supports_direction", index, locate)
    if direction not in DIRECTIONS:
        raise locate.error(index, "supports_direction", f"must be one of {', '.join(DIRECTIONS)}")
    if (kind == "open-question") != (direction == "addressed"):
        raise locate.error(
            index, "supports_direction", "an open question, and only one, is 'addressed'"
        )
    sources = _sources(raw.get("sources"), index, locate)
    outcome = _outcome(raw.get("outcome"), index, locate)
    context = _terms(raw.get("context", []), index, "context", locate)
    if direction == "association" and not context:
        raise locate.error(index, "context", "an association finding needs context terms")
    min_months = raw.get("min_months", 0)
    if not isinstance(min_months, int) or isinstance(min_months, bool) or min_months < 0:
        raise locate.error(index, "min_months", "must be a whole number of months")
    designs = _terms(raw.get("designs", []), index, "designs", locate)
    bad = [d for d in designs if d not in DESIGNS]
    if bad:
        raise locate.error(index, "designs", f"unknown design {bad[0]!r}")
    groups = raw.get("all_of", [])
    if not isinstance(groups, list):
        raise locate.error(index, "all_of", "must be a list of lists of terms")
    all_of = tuple(_terms(g, index, "all_of", locate) for g in groups)
    return Finding(
        id=fid,
        statement=" ".join(_text(raw, "statement", index, locate).split()),
        kind=kind,
        sources=sources,
        outcome=outcome,
        supports_direction=direction,
        context=context,
        min_months=min_months,
        designs=designs,
        all_of=all_of,
    )


def _sources(raw: Any, index: int, locate: _Locator) -> tuple[Source, ...]:
    if not isinstance(raw, list) or not raw:
        raise locate.error(index, "sources", "is required: a list of {citation, pmid, doi}")
    sources = []
    for item in raw:
        if not isinstance(item, dict) or not isinstance(item.get("citation"), str):
            raise locate.error(index, "sources", "each source needs a citation string")
        extra = set(item) - {"citation", "pmid", "doi"}
        if extra:
            raise locate.error(index, "sources", f"unknown source key {sorted(extra)[0]!r}")
        pmid = str(item.get("pmid", ""))
        if pmid and not pmid.isdigit():
            raise locate.error(index, "sources", f"pmid {pmid!r} is not a number")
        sources.append(Source(item["citation"].strip(), pmid, str(item.get("doi", ""))))
    return tuple(sources)


def _outcome(raw: Any, index: int, locate: _Locator) -> Outcome:
    if not isinstance(raw, dict):
        raise locate.error(index, "outcome", "is required: a [finding.outcome] table")
    name = raw.get("name")
    if not isinstance(name, str) or not name.strip():
        raise locate.error(index, "outcome.name", "is required and must be a string")
    terms = _terms(raw.get("terms"), index, "outcome.terms", locate)
    if not terms:
        raise locate.error(index, "outcome.terms", "needs at least one term")
    measures = _terms(raw.get("measures", []), index, "outcome.measures", locate)
    short = raw.get("short", "")
    if not isinstance(short, str):
        raise locate.error(index, "outcome.short", "must be a string")
    extra = set(raw) - {"name", "terms", "measures", "short"}
    if extra:
        raise locate.error(index, f"outcome.{sorted(extra)[0]}", "unknown key")
    return Outcome(name=name.strip(), terms=terms, measures=measures, short=short.strip())
