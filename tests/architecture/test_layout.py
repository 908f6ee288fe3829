"""The package's shape: stages import one way, no cycle, only the store builds SQL.

These read the source (``ast``), so they hold for every module, imported by a test or not.
"""

from __future__ import annotations

import ast
import re
import tomllib
from collections import defaultdict
from pathlib import Path

import pytest

from tests.helpers.paths import REPO

PACKAGE = REPO / "service" / "litwatch"

# A stage may import the stages of its own row and the rows below it, never a row above.
# Within a row, the stage graph must still be free of cycles.
LAYERS: list[set[str]] = [
    {"errors", "records"},
    {"config", "pubmed", "eutils", "fake_eutils"},
    {"templating", "default_search"},
    {"store"},
    {"judging", "export"},
    {"digests"},
    {"context"},
    {"jobs"},
    {"web"},
    {"cli"},
    {"demo"},
]
LAYER_OF = {stage: i for i, row in enumerate(LAYERS) for stage in row}

# Outside the store, these are the only names that may come from SQLAlchemy or SQLModel: a
# session to pass down and the engine's type. Every query is built inside litwatch.store.
SQL_NAMES_ALLOWED_OUTSIDE_STORE = {"Session", "Engine"}
SQL_PACKAGES = ("sqlalchemy", "sqlmodel", "alembic")

MAX_LINES = 300
LONG_MODULE_REASON = re.compile(r"^Over 300 lines: ", re.M)


def modules() -> dict[str, Path]:
    """Dotted name -> file, for every module of the package (migrations are data)."""
    out = {}
    for path in sorted(PACKAGE.rglob("*.py")):
        rel = path.relative_to(PACKAGE.parent).with_suffix("")
        if "migrations" in rel.parts:
            continue
        parts = list(rel.parts)
        if parts[-1] == "__init__":
            parts.pop()
        out[".".join(parts)] = path
    return out


def imports_of(path: Path, name: str) -> list[tuple[str, list[str]]]:
    """(module imported, names taken from it) for every import in the file, nested ones too."""
    tree = ast.parse(path.read_text(encoding="utf-8"))
    package = name if path.name == "__init__.py" else name.rpartition(".")[0]
    found = []
    for node in ast.walk(tree):
        if isinstance(node, ast.Import):
            found += [(alias.name, []) for alias in node.names]
        elif isinstance(node, ast.ImportFrom):
            base = node.module or ""
            if node.level:
                anchor = package.split(".")[: len(package.split(".")) - node.level + 1]
                base = ".".join([*anchor, base] if base else anchor)
            found.append((base, [alias.name for alias in node.names]))
    return found


def internal_edges() -> dict[str, set[str]]:
    """Module -> the package's modules it imports (``from pkg import module`` counts)."""
    mods = modules()
    edges: dict[str, set[str]] = defaultdict(set)
    for name, path in mods.items():
        for target, names in imports_of(path, name):
            if not target.startswith("litwatch"):
                continue
            for candidate in [f"{target}.{n}" for n in names] + [target]:
                if candidate in mods and candidate != name:
                    edges[name].add(candidate)
                    break
    return edges


def stage_of(module: str) -> str:
    parts = module.split(".")
    return parts[1] if len(parts) > 1 else "litwatch"


def find_cycle(edges: dict[str, set[str]]) -> list[str] | None:
    state: dict[str, int] = {}
    stack: list[str] = []

    def visit(node: str) -> list[str] | None:
        state[node] = 1
        stack.append(node)
        for nxt in sorted(edges.get(node, ())):
            if state.get(nxt) == 1:
                return stack[stack.index(nxt) :] + [nxt]
            if state.get(nxt) is None and (cycle := visit(nxt)):
                return cycle
        stack.pop()
        state[node] = 2
        return None

    for node in sorted(edges):
        if state.get(node) is None and (cycle := visit(node)):
            return cycle
    return None


def test_no_module_import_cycle() -> None:
    assert find_cycle(internal_edges()) is None


def test_no_stage_import_cycle() -> None:
    stages: dict[str, set[str]] = defaultdict(set)
    for source, targets in internal_edges().items():
        for target in targets:
            if stage_of(source) != stage_of(target) and stage_of(target) != "litwatch":
                stages[stage_of(source)].add(stage_of(target))
    assert find_cycle(stages) is None


def test_every_stage_has_a_row() -> None:
    stages = {stage_of(m) for m in modules()} - {"litwatch"}
    assert stages - set(LAYER_OF) == set(), "add the new stage to LAYERS"


def test_imports_run_down_the_stages() -> None:
    upward = sorted(
        f"{source} -> {target}"
        for source, targets in internal_edges().items()
        for target in targets
        if stage_of(source) in LAYER_OF
        and stage_of(target) in LAYER_OF
        and LAYER_OF[stage_of(target)] > LAYER_OF[stage_of(source)]
    )
    assert upward == []


def test_only_the_store_builds_sql() -> None:
    offenders = []
    for name, path in modules().items():
        if name == "litwatch.store" or name.startswith("litwatch.store."):
            continue
        for target, names in imports_of(path, name):
            if target.split(".")[0] not in SQL_PACKAGES:
                continue
            extra = set(names) - SQL_NAMES_ALLOWED_OUTSIDE_STORE
            if not names or extra:
                offenders.append(f"{name}: {target} {sorted(extra)}")
    assert offenders == []


def test_stage_packages_say_what_they_own() -> None:
    for init in PACKAGE.glob("*/__init__.py"):
        doc = ast.get_docstring(ast.parse(init.read_text(encoding="utf-8"))) or ""
        assert "May import" in doc, f"{init.parent.name}/__init__.py: say what it may import"


@pytest.mark.parametrize("name", sorted(modules()))
def test_long_modules_say_why(name: str) -> None:
    path = modules()[name]
    text = path.read_text(encoding="utf-8")
    if text.count("\n") > MAX_LINES:
        doc = ast.get_docstring(ast.parse(text)) or ""
        assert LONG_MODULE_REASON.search(doc), f"{path}: over {MAX_LINES} lines with no reason"


def test_wheel_lists_every_package() -> None:
    config = tomllib.loads((REPO / "pyproject.toml").read_text(encoding="utf-8"))
    listed = set(config["tool"]["setuptools"]["packages"])
    on_disk = {
        ".".join(init.parent.relative_to(PACKAGE.parent).parts)
        for init in PACKAGE.rglob("__init__.py")
    } | {"litwatch.templates"}
    assert listed == on_disk


# I/O at the edges: which modules may import the libraries that reach outside the process.
EDGE_IMPORTS = {
    "httpx": {"litwatch.eutils.client", "litwatch.context"},
    "smtplib": {"litwatch.digests.mailer"},
}
SESSION_CALLS = re.compile(r"\bsession\.(add|exec|execute|get|delete|merge|query)\(")


@pytest.mark.parametrize("library", sorted(EDGE_IMPORTS))
def test_io_libraries_stay_at_the_edges(library: str) -> None:
    users = {
        name
        for name, path in modules().items()
        if any(target.split(".")[0] == library for target, _ in imports_of(path, name))
    }
    assert users <= EDGE_IMPORTS[library]


def test_only_the_store_reads_and_writes_rows() -> None:
    offenders = [
        f"{name}: {match.group(0)}"
        for name, path in modules().items()
        if not name.startswith("litwatch.store")
        for match in SESSION_CALLS.finditer(path.read_text(encoding="utf-8"))
    ]
    assert offenders == []


MAX_FUNCTION_LINES = 60
# Builders of the fake server's records: each writes one record's XML or one table of demo
# records top to bottom, and reads best that way.
LONG_FUNCTIONS_ALLOWED = {
    "litwatch.fake_eutils.xmlbuild.render_article",
    "litwatch.fake_eutils.indexing.index_article",
    "litwatch.fake_eutils.demo_drafts.core_study",
    "litwatch.fake_eutils.demo_topics.fixed_groups",
}


def test_functions_stay_short() -> None:
    long = []
    for name, path in modules().items():
        for node in ast.walk(ast.parse(path.read_text(encoding="utf-8"))):
            if isinstance(node, ast.FunctionDef | ast.AsyncFunctionDef):
                size = (node.end_lineno or node.lineno) - node.lineno + 1
                if (
                    size > MAX_FUNCTION_LINES
                    and f"{name}.{node.name}" not in LONG_FUNCTIONS_ALLOWED
                ):
                    long.append(f"{name}.{node.name}: {size} lines")
    assert long == []
