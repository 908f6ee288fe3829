"""`make demo`: the whole job offline, in one command, in a fresh var/demo/.

Starts the fake E-utilities server over the demo corpus (with NCBI's rate limit) and a local
SMTP server that keeps every message it receives, then drives the real `litwatch` commands:
init, subscribers, poll, classify, digest preview, digest send, evidence, export. Stops what it
started, also when a step fails.
"""

from __future__ import annotations

import json
import os
import shutil
import socket
import sys
import time
from collections.abc import Iterator
from contextlib import contextmanager
from pathlib import Path
from typing import Any

from litwatch import cli
from litwatch.fake_eutils.democorpus import load_demo_corpus
from litwatch.fake_eutils.server import FakeEutils, running_server

DEMO_DIR = Path("var/demo")
CLINICIAN = "clinician@example.org"


class DemoError(RuntimeError):
    """A step of the demo failed."""


class KeepMessages:
    """An aiosmtpd handler writing each message it accepts to ``folder`` as an .eml file."""

    def __init__(self, folder: Path) -> None:
        self.folder = folder
        self.paths: list[Path] = []

    async def handle_DATA(self, server: Any, session: Any, envelope: Any) -> str:  # noqa: N802
        # Called on the server's one event-loop thread: no two at once.
        path = self.folder / f"{len(self.paths) + 1:03d}-{envelope.rcpt_tos[0]}.eml"
        path.write_bytes(envelope.original_content)
        self.paths.append(path)
        return "250 Message accepted"


def _free_port() -> int:
    with socket.socket() as s:
        s.bind(("127.0.0.1", 0))
        return int(s.getsockname()[1])


@contextmanager
def smtp_server(handler: KeepMessages) -> Iterator[int]:
    """A local SMTP server on loopback; yields its port."""
    from aiosmtpd.controller import Controller  # a development dependency: `make install`

    controller = Controller(handler, hostname="127.0.0.1", port=_free_port())
    controller.start()
    try:
        yield int(controller.port)
    finally:
        controller.stop()


@contextmanager
def demo_environment(values: dict[str, str]) -> Iterator[None]:
    """Only these LITWATCH_* settings for the run (no config file, no API key); then restore."""
    saved = dict(os.environ)
    for name in [n for n in os.environ if n.startswith("LITWATCH_") or n == "NCBI_API_KEY"]:
        del os.environ[name]
    os.environ.update(values)
    try:
        yield
    finally:
        os.environ.clear()
        os.environ.update(saved)


def litwatch(*args: str) -> None:
    """Run one `litwatch` command in this process; DemoError if it fails."""
    print(f"\n$ litwatch {' '.join(args)}", flush=True)
    started = time.monotonic()
    code = cli.main(list(args))
    print(f"  ({time.monotonic() - started:.1f} s)", flush=True)
    if code != 0:
        raise DemoError(f"`litwatch {' '.join(args)}` exited with status {code}")


def steps(preview: Path, export: Path) -> list[list[str]]:
    """The commands the demo runs, in order."""
    return [
        ["init"],
        ["subscribers", "add", CLINICIAN, "--name", "Demo clinician", "--min-relevance", "related"],
        ["subscribers", "add", "skin@example.org", "--finding", "mrss-improvement",
         "--frequency", "weekly"],
        ["poll"],
        ["classify"],
        # Before sending: once sent, nothing is new for the clinician and the preview would
        # be an empty digest.
        ["digest", "preview", CLINICIAN, "--output", str(preview)],
        ["digest", "send", "--now"],
        ["evidence", "mrss-improvement"],
        ["export", "--format", "jsonl", "--output", str(export)],
    ]  # fmt: skip


def run(demo_dir: Path = DEMO_DIR) -> dict[str, Any]:
    """Run every step in a fresh ``demo_dir``; return what the summary shows."""
    shutil.rmtree(demo_dir, ignore_errors=True)
    received = demo_dir / "received"
    received.mkdir(parents=True)
    handler = KeepMessages(received)
    preview = demo_dir / "preview.html"
    export = demo_dir / "articles.jsonl"
    fake = FakeEutils(load_demo_corpus(), rate_limit=True)  # NCBI's 3 requests/s
    with running_server(fake) as eutils_url, smtp_server(handler) as smtp_port:
        env = {
            "LITWATCH_DATABASE_URL": f"sqlite:///{demo_dir / 'litwatch.db'}",
            "LITWATCH_EUTILS_URL": eutils_url,
            "LITWATCH_NCBI_EMAIL": "demo@example.org",
            "LITWATCH_SMTP_URL": f"smtp://127.0.0.1:{smtp_port}",
            "LITWATCH_OUTBOX_DIR": str(demo_dir / "outbox"),
            "LITWATCH_SECRET_KEY": "demo-secret-not-for-production",
            "LITWATCH_MAIL_FROM": "litwatch demo <litwatch@example.org>",
            "LITWATCH_LOG_LEVEL": "ERROR",
        }
        with demo_environment(env):
            for step in steps(preview, export):
                litwatch(*step)
    rows = [json.loads(line) for line in export.read_text(encoding="utf-8").splitlines()]
    judged = [r["classification"] for r in rows if r.get("classification")]
    top = max(rows, key=lambda r: (r.get("classification") or {}).get("priority", 0.0))
    return {
        "env": env,
        "stored": len(rows),
        "core": sum(c["relevance"] == "core" for c in judged),
        "related": sum(c["relevance"] == "related" for c in judged),
        "received": list(handler.paths),
        "preview": preview,
        "export": export,
        "top": top,
    }


def print_summary(result: dict[str, Any], seconds: float) -> None:
    env, top = result["env"], result["top"]
    lines = [
        f"\n=== litwatch demo done in {seconds:.1f} s ===",
        f"articles stored: {result['stored']} ({result['core']} core, {result['related']} related)",
        f"digests received by the local SMTP server: {len(result['received'])}",
        *(f"  {path}" for path in result["received"]),
        f"HTML preview of the clinician's digest: {result['preview']}",
        f"every article with its judgement (JSON lines): {result['export']}",
        f"top article: PMID {top['pmid']}: {top.get('title', '')[:90]}",
        "\nTo explore the demo database (the servers are stopped; the store stays):",
        f"  export LITWATCH_DATABASE_URL={env['LITWATCH_DATABASE_URL']}",
        f"  export LITWATCH_SECRET_KEY={env['LITWATCH_SECRET_KEY']}",
        f"  .venv/bin/litwatch explain {top['pmid']}   # the reasoning behind the labels",
        "  .venv/bin/litwatch evidence fvc-improvement   # another living evidence table",
        "  .venv/bin/litwatch runs   # polls and digest runs",
        "The web app and scheduler, with the fake E-utilities server in another terminal:",
        "  .venv/bin/litwatch-fake-eutils --port 8765",
        "  LITWATCH_EUTILS_URL=http://127.0.0.1:8765/ LITWATCH_NCBI_EMAIL=demo@example.org \\",
        "  LITWATCH_WEB_PUBLIC_READ=true LITWATCH_WEB_TOKEN=demo-token-not-for-production \\",
        "    .venv/bin/litwatch serve   # then open http://127.0.0.1:8000/",
        "  (browsing is open; to change things, log in with the token above)",
    ]
    print("\n".join(lines))


def main() -> None:
    started = time.monotonic()
    try:
        result = run()
    except DemoError as exc:
        print(f"\ndemo failed: {exc}", file=sys.stderr)
        raise SystemExit(1) from None
    print_summary(result, time.monotonic() - started)


if __name__ == "__main__":
    main()
