"""The README's architecture section names only folders and modules that exist."""

from __future__ import annotations

import re

from tests.helpers.paths import REPO

PACKAGE = REPO / "service" / "litwatch"
TOP_LEVEL = ("deploy/", "tests/", "bench/", "templates/", "service/")


def architecture_section() -> str:
    text = (REPO / "README.md").read_text(encoding="utf-8")
    start = text.index("## Architecture\n")
    return text[start : text.index("\n## ", start + 1)]


def named_paths() -> list[str]:
    """Every `path/` or `module.py` written in backticks in the section."""
    return [
        p
        for p in re.findall(r"`([\w./-]+)`", architecture_section())
        if p.endswith("/") or p.endswith(".py")
    ]


def exists(path: str, stage: str | None) -> bool:
    if path.startswith(TOP_LEVEL):
        return (REPO / path).exists()
    candidates = [PACKAGE / path]
    if stage:
        candidates.append(PACKAGE / stage / path)
        candidates.append(PACKAGE / stage / "rules" / path)
    return any(c.exists() for c in candidates)


def test_every_folder_and_module_named_exists() -> None:
    missing = []
    stage = None
    for line in architecture_section().splitlines():
        heading = re.match(r"- \*\*`(\w+)/`\*\*", line)
        if heading:
            stage = heading.group(1)
        for path in re.findall(r"`([\w./-]+)`", line):
            if (path.endswith("/") or path.endswith(".py")) and not exists(path, stage):
                missing.append(f"{path} (under {stage})")
    assert named_paths(), "the section names no paths"
    assert missing == []


def test_every_stage_is_described() -> None:
    section = architecture_section()
    stages = [p.name for p in PACKAGE.iterdir() if (p / "__init__.py").exists()]
    assert [s for s in stages if f"**`{s}/`**" not in section] == []
