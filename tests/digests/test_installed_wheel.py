"""The built wheel works on its own: installed in a fresh venv, run from elsewhere, it finds
its templates and migrations and renders a digest.

Slow (a wheel build and a venv). The build uses pip's isolated build environment, so setuptools
comes from the package registry or pip's cache; litwatch's own dependencies are not installed
again: a ``.pth`` file lends the fresh venv the test venv's site-packages, which holds no
litwatch (the checkout's editable install is hooked in by a ``.pth`` there, which Python only
runs for its own site directories).
"""

from __future__ import annotations

import os
import shutil
import subprocess
import sys
import sysconfig
import textwrap
from pathlib import Path

import pytest

from tests.helpers.paths import REPO

pytestmark = pytest.mark.slow

SCRIPT = textwrap.dedent(
    """
    import sys
    from datetime import UTC, datetime
    from pathlib import Path

    import litwatch
    from litwatch.digests.rendering import DigestLinks, render_digest
    from litwatch.digests.selection import Candidate, Recipient, build_digest
    from litwatch.records import ArticleRecord, Classification
    from litwatch.store.engine import MIGRATIONS
    from litwatch.templating import make_environment, templates_dir

    venv = Path(sys.argv[1]).resolve()
    for path in (Path(litwatch.__file__), templates_dir(), MIGRATIONS):
        assert venv in path.resolve().parents, f"{path} is not inside {venv}"
    assert (MIGRATIONS / "versions" / "0003_digest_message.py").is_file()
    now = datetime(2026, 11, 18, 6, 0, tzinfo=UTC)
    item = Candidate(
        ArticleRecord(pmid="123", title="Rituximab in <i>SSc</i>"),
        Classification(pmid="123", relevance="core", relevance_score=0.9, design="rct"),
    )
    content = build_digest(
        Recipient(email="ada@example.org"), [item],
        period_start=now, period_end=now, kb_statements={},
    )
    assert content is not None
    rendered = render_digest(
        make_environment(), content, DigestLinks("http://localhost:8000", "k"), now=now
    )
    assert "<i>SSc</i>" in rendered.html and "123" in rendered.text
    print(litwatch.__file__)
    print(rendered.subject)
    """
)


def _run(*args: str | Path, cwd: Path, env: dict[str, str] | None = None) -> str:
    done = subprocess.run(
        [str(a) for a in args], cwd=cwd, env=env, capture_output=True, text=True, timeout=300
    )
    assert done.returncode == 0, f"{args}:\n{done.stdout}\n{done.stderr}"
    return done.stdout


def _source_copy(target: Path) -> Path:
    """What the wheel is built from, copied, so the build leaves nothing in the checkout."""
    target.mkdir(parents=True)
    for name in ("pyproject.toml", "README.md"):
        shutil.copy2(REPO / name, target / name)
    ignore = shutil.ignore_patterns("__pycache__", "*.egg-info", "*.pyc")
    for name in ("service", "templates"):
        shutil.copytree(REPO / name, target / name, ignore=ignore)
    return target


def test_the_installed_wheel_renders_a_digest(tmp_path: Path) -> None:
    source = _source_copy(tmp_path / "src")
    elsewhere = tmp_path / "elsewhere"
    elsewhere.mkdir(parents=True)
    wheels = tmp_path / "wheels"
    pip = (sys.executable, "-m", "pip")
    _run(*pip, "wheel", "--no-deps", "-q", "-w", wheels, source, cwd=elsewhere)
    [wheel] = wheels.glob("litwatch-*.whl")

    venv = tmp_path / "venv"
    _run(sys.executable, "-m", "venv", "--without-pip", venv, cwd=elsewhere)
    python = venv / "bin" / "python"
    _run(*pip, "--python", python, "install", "--no-deps", "--no-index", "-q", wheel, cwd=elsewhere)
    site = _run(
        python, "-c", "import sysconfig; print(sysconfig.get_path('purelib'))", cwd=elsewhere
    )
    # The dependencies come from the test venv; added after the install, so pip saw none.
    Path(site.strip(), "test-venv-deps.pth").write_text(sysconfig.get_path("purelib") + "\n")

    env = {k: v for k, v in os.environ.items() if k not in ("PYTHONPATH", "PYTHONHOME")}
    out = _run(python, "-c", SCRIPT, venv, cwd=elsewhere, env=env)
    installed, subject = out.splitlines()
    assert Path(installed).resolve().is_relative_to(venv.resolve())
    assert not Path(installed).resolve().is_relative_to(REPO.resolve())
    assert subject.startswith("litwatch: 1 new article")
