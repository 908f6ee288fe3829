"""`litwatch digest send` SIGKILLed mid-send, on SQLite and PostgreSQL, at each point where a
message can be in flight: before the SMTP connection opens, during DATA (the server holds its
answer until the sender is dead), and after the server accepted a message but before the
queue recorded it. After a new `digest send`: every due digest sent, nothing lost, and at most
the one message in flight delivered twice, under the same Message-ID.
"""

from __future__ import annotations

import asyncio
import subprocess
import sys
import threading
from collections import Counter
from datetime import UTC, datetime, timedelta
from pathlib import Path

import pytest
from sqlmodel import Session, select

from litwatch.digests.subscribers import add_subscriber
from litwatch.store.tables import Digest, JobRun, Subscriber
from tests.digests.test_delivery import CONTRADICTS, SUPPORTS, make_ctx, received, seed
from tests.digests.test_mailer import Recorder, smtp_server
from tests.helpers.e2e import Clock
from tests.jobs.test_locks import ROOT, child_env
from tests.jobs.test_poll_commit_crash import wait_for_marker

pytestmark = pytest.mark.slow

ADDRESSES = ["ada@example.org", "bo@example.org", "cy@example.org", "dee@example.org"]
SEND = ["digest", "send"]


class HoldsData(Recorder):
    """Holds its answer to the first DATA until ``release`` is set (the sender is killed
    meanwhile). With ``keep`` it has already kept that message, as a server may that never
    got its answer to a sender who vanished; without, the message goes with the connection
    (aiosmtpd drops a session whose client is gone). Every later message, and every message
    without ``hold``, is taken at once."""

    def __init__(self, *, hold: bool, keep: bool = False) -> None:
        super().__init__()
        self.hold, self.keep = hold, keep
        self.in_data = threading.Event()
        self.release = threading.Event()

    async def handle_DATA(self, server, session, envelope):  # type: ignore[no-untyped-def]
        if not self.hold or self.in_data.is_set():
            return await super().handle_DATA(server, session, envelope)
        if self.keep:
            self.received.append((envelope, session.peer))
        self.in_data.set()
        while not self.release.is_set():
            await asyncio.sleep(0.05)
        return "250 Message accepted"


def send_env(db_url: str, port: int) -> dict[str, str]:
    env = child_env(db_url)
    env.update(
        LITWATCH_SMTP_URL=f"smtp://127.0.0.1:{port}",
        LITWATCH_BASE_URL="https://litwatch.example.org",
        LITWATCH_MAIL_FROM="litwatch <digest@litwatch.example.org>",
        LITWATCH_DIGEST_TIME="00:00",
    )
    return env


def kill_sender(point: str, env: dict[str, str], tmp: Path, handler: HoldsData) -> int:
    """Start `digest send`, SIGKILL it at ``point``; its PID."""
    if point.startswith("data"):
        cmd = [sys.executable, "-m", "litwatch.cli", *SEND]
    else:
        marker = tmp / "marker"
        cmd = [sys.executable, "-m", "tests.helpers.kill_point", str(marker), point, "--", *SEND]
    with (tmp / "killed.log").open("wb") as log:
        proc = subprocess.Popen(cmd, env=env, cwd=ROOT, stdout=log, stderr=subprocess.STDOUT)
    try:
        if point.startswith("data"):
            assert handler.in_data.wait(120), "the sender never reached DATA"
        else:
            assert wait_for_marker(marker, proc) == f"{point} {proc.pid}"
    finally:
        proc.kill()
        proc.wait(timeout=30)
        handler.release.set()  # from now on the server answers (and keeps what it held)
    return proc.pid


def send_again(env: dict[str, str]) -> subprocess.CompletedProcess[str]:
    """The next `digest send`; a refusal while PostgreSQL notices the dead client is retried."""
    cmd = [sys.executable, "-m", "litwatch.cli", *SEND]
    for _ in range(20):
        done = subprocess.run(cmd, env=env, cwd=ROOT, capture_output=True, text=True, timeout=180)
        if done.returncode != 75:
            return done
        threading.Event().wait(0.5)
    return done


@pytest.mark.parametrize(
    ("point", "twice"),
    [("smtp-connect", 0), ("data", 0), ("data-kept", 1), ("sent:1", 1), ("sent:3", 1)],
)
def test_a_digest_send_killed_mid_send_loses_nothing(
    migrated_db_url: str, tmp_path: Path, point: str, twice: int
) -> None:
    handler = HoldsData(hold=point.startswith("data"), keep=point == "data-kept")
    with smtp_server(handler) as controller:
        now = datetime.now(UTC)
        ctx = make_ctx(migrated_db_url, controller.port, Clock(now))
        with Session(ctx.engine) as s:
            for address in ADDRESSES:
                add_subscriber(s, address, now=now - timedelta(days=2))
            s.commit()
        seed(ctx, [SUPPORTS, CONTRADICTS])
        env = send_env(migrated_db_url, controller.port)
        pid = kill_sender(point, env, tmp_path, handler)

        second = send_again(env)
        assert second.returncode == 0, second.stdout + second.stderr
        with Session(ctx.engine) as s:
            rows = s.exec(select(Digest, Subscriber.email).join(Subscriber)).all()
            runs = sorted(s.exec(select(JobRun)).all(), key=lambda r: r.id)
        ctx.close()
        messages = received(handler)
    by_address = {address: digest for digest, address in rows}
    assert sorted(by_address) == ADDRESSES and len(rows) == len(ADDRESSES)  # one digest each
    assert {d.status for d in by_address.values()} == {"sent"}, [
        (a, d.status, d.claimed_by) for a, d in by_address.items()
    ]
    got = Counter(m["Message-ID"] for m in messages)
    # Every digest delivered, under the Message-ID it was recorded with...
    assert set(got) == {d.message_id for d in by_address.values()}
    assert sorted(m["To"] for m in messages if got[m["Message-ID"]] == 1) == sorted(
        a for a, d in by_address.items() if got[d.message_id] == 1
    )
    # ...and twice at most the one that was in flight when the sender was killed.
    doubles = [mid for mid, n in got.items() if n > 1]
    assert len(doubles) == twice and all(got[mid] == 2 for mid in doubles)
    assert [r.status for r in runs] == ["abandoned", "ok"], [(r.status, r.error) for r in runs]
    assert f"pid {pid}" in runs[0].error
