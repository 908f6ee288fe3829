"""Gold sets: labelled articles, one JSON object a line, as `litwatch eval` reads them.

A line: {"id", "title", "abstract", "publication_types"?, "mesh"?, "relevance", "design"?,
"findings"? {"<finding id>": {"stance": ...}}, "n"?, "mrss_change"?, "fvc_change"?}. A
finding absent from "findings" means the article does not report on it; a number absent or
null is not scored. Other keys (a source, notes) are ignored.
"""

from __future__ import annotations

import json
from collections.abc import Sequence
from dataclasses import dataclass, field
from pathlib import Path

from litwatch.errors import LitwatchError
from litwatch.judging.knowledge import DESIGNS
from litwatch.pubmed.plain_text import article_from_text
from litwatch.records import ArticleRecord

HALVES = (1, 2)
NUMBER_LABELS = ("n", "mrss_change", "fvc_change")

RELEVANCE = ("core", "related", "off")
STANCES = ("supports", "contradicts", "inconclusive", "addresses")


class GoldError(LitwatchError):
    """A gold file line is malformed; the message names the line."""

    exit_code = 2


@dataclass(slots=True)
class GoldRecord:
    id: str
    title: str
    abstract: str
    relevance: str
    publication_types: list[str] = field(default_factory=list)
    mesh: list[str] = field(default_factory=list)
    design: str | None = None
    findings: dict[str, str] = field(default_factory=dict)  # finding id -> stance
    numbers: dict[str, float] = field(default_factory=dict)  # n, mrss_change, fvc_change

    def to_article(self) -> ArticleRecord:
        """The gold record as an article record: one unlabelled abstract section."""
        return article_from_text(
            self.id,
            self.title,
            self.abstract,
            publication_types=self.publication_types,
            mesh=self.mesh,
        )


def load_gold(path: Path) -> list[GoldRecord]:
    """Read and validate a gold file; an error names the file and line."""
    records: list[GoldRecord] = []
    seen: set[str] = set()
    with Path(path).open(encoding="utf-8") as fh:
        for number, line in enumerate(fh, start=1):
            if not line.strip():
                continue
            try:
                record = parse_gold_line(line)
            except (ValueError, TypeError, KeyError) as exc:
                raise GoldError(f"{path}: line {number}: {exc}") from exc
            if record.id in seen:
                raise GoldError(f"{path}: line {number}: duplicate id {record.id!r}")
            seen.add(record.id)
            records.append(record)
    return records


def parse_gold_line(line: str) -> GoldRecord:
    """One gold line to a record; raises ValueError saying what is wrong."""
    data = json.loads(line)
    if not isinstance(data, dict):
        raise ValueError("not a JSON object")
    for key in ("id", "title", "abstract", "relevance"):
        if not isinstance(data.get(key), str):
            raise ValueError(f"'{key}' must be a string")
    if data["relevance"] not in RELEVANCE:
        raise ValueError(f"'relevance' must be one of {', '.join(RELEVANCE)}")
    design = data.get("design")
    if design is not None and design not in DESIGNS:
        raise ValueError(f"'design' {design!r} is not one of {', '.join(DESIGNS)}")
    lists = {}
    for key in ("publication_types", "mesh"):
        value = data.get(key, [])
        if not isinstance(value, list) or not all(isinstance(v, str) for v in value):
            raise ValueError(f"'{key}' must be a list of strings")
        lists[key] = value
    findings: dict[str, str] = {}
    raw = data.get("findings", {}) or {}
    if not isinstance(raw, dict):
        raise ValueError("'findings' must be an object")
    for fid, judgement in raw.items():
        stance = judgement.get("stance") if isinstance(judgement, dict) else None
        if stance not in STANCES:
            raise ValueError(f"finding {fid!r}: 'stance' must be one of {', '.join(STANCES)}")
        findings[fid] = stance
    numbers: dict[str, float] = {}
    for key in NUMBER_LABELS:
        value = data.get(key)
        if value is not None and (isinstance(value, bool) or not isinstance(value, int | float)):
            raise ValueError(f"'{key}' must be a number or null")
        if value is not None:
            numbers[key] = float(value)
    return GoldRecord(
        id=data["id"],
        numbers=numbers,
        title=data["title"],
        abstract=data["abstract"],
        relevance=data["relevance"],
        design=design,
        findings=findings,
        **lists,
    )


def half_of(records: Sequence[GoldRecord], half: int) -> list[GoldRecord]:
    """One of two fixed halves: within each relevance label, records alternate in file order.

    Rules are tuned on half 1 and checked on half 2; the split depends only on the file's
    order, so it stays the same from run to run and from machine to machine.
    """
    if half not in HALVES:
        raise ValueError(f"half must be 1 or 2, not {half}")
    seen: dict[str, int] = {}
    chosen = []
    for record in records:
        index = seen.get(record.relevance, 0)
        seen[record.relevance] = index + 1
        if index % 2 == half - 1:
            chosen.append(record)
    return chosen
