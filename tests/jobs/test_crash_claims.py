"""The pieces the crash tests lean on, quickly: which claim belongs to a dead sender, giving
back its digests (and only its), and the short schedules the several-rounds test runs on."""

from __future__ import annotations

import os
import socket
import subprocess
import sys
from datetime import timedelta
from pathlib import Path

from apscheduler.triggers.combining import OrTrigger
from apscheduler.triggers.cron import CronTrigger
from sqlmodel import Session, select

from litwatch.config import load_settings
from litwatch.context import build_context
from litwatch.digests.mailer import make_mailer
from litwatch.digests.message import message_id_domain
from litwatch.digests.queue import make_due_digests
from litwatch.digests.subscribers import add_subscriber
from litwatch.jobs.digest_run import deliver_pending, due_subscribers, render_settings
from litwatch.jobs.locks import gone_from_this_host, holder_id
from litwatch.jobs.scheduler import build_scheduler
from litwatch.jobs.schedules import parse_schedule, schedule_interval
from litwatch.store.digests import take_digest
from litwatch.store.tables import Digest
from tests.digests.test_delivery import NOW, SUPPORTS, make_ctx, seed
from tests.helpers.e2e import Clock

HOST = socket.gethostname()


def dead_pid() -> int:
    proc = subprocess.Popen([sys.executable, "-c", "pass"])
    proc.wait()
    return proc.pid


def test_a_sender_is_known_gone_only_on_this_host_with_its_pid_gone() -> None:
    assert gone_from_this_host(f"{HOST}:{dead_pid()}")
    assert not gone_from_this_host(holder_id())  # this very process
    assert not gone_from_this_host(f"{HOST}:{os.getppid()}")
    assert not gone_from_this_host(f"some-other-host:{dead_pid()}")  # cannot tell: wait
    assert not gone_from_this_host("")
    assert not gone_from_this_host(f"{HOST}:not-a-pid")


def test_digests_claimed_by_a_dead_sender_go_out_at_the_next_delivery(
    migrated_db_url: str, tmp_path: Path
) -> None:
    ctx = make_ctx(migrated_db_url, 9, Clock(NOW))  # no SMTP: the outbox mailer is passed in
    with Session(ctx.engine) as s:
        for address in ("ada@example.org", "bo@example.org"):
            add_subscriber(s, address, now=NOW - timedelta(days=1))
        s.commit()
    seed(ctx, [SUPPORTS])
    with Session(ctx.engine) as s:
        ids = make_due_digests(
            s,
            due_subscribers(ctx, s),
            now=NOW,
            rendering=render_settings(ctx),
            message_id_domain=message_id_domain(ctx.settings.mail_from),
        )
        assert len(ids) == 2
        dead, alive = f"{HOST}:{dead_pid()}", holder_id()
        assert take_digest(s, ids[0], worker=dead, now=NOW)
        assert take_digest(s, ids[1], worker=alive, now=NOW)  # a sender still at work
        s.commit()
    mailer = make_mailer(None, tmp_path / "outbox")
    result = deliver_pending(ctx, mailer=mailer)
    with Session(ctx.engine) as s:
        status = {d.id: d.status for d in s.exec(select(Digest))}
    ctx.close()
    assert result.sent == 1 and len(list((tmp_path / "outbox").glob("*.eml"))) == 1
    assert status == {ids[0]: "sent", ids[1]: "sending"}


def test_schedules_in_seconds_and_a_digest_check_for_tests(migrated_sqlite_url: str) -> None:
    assert schedule_interval("every 20s") == timedelta(seconds=20)
    assert parse_schedule("every 20s").interval == timedelta(seconds=20)  # type: ignore[attr-defined]
    assert load_settings(default_schedule="every 20s").default_schedule == "every 20s"
    for check, trigger in ((None, CronTrigger), (5, OrTrigger)):
        settings = load_settings(database_url=migrated_sqlite_url, digest_check_seconds=check)
        ctx = build_context(settings)
        job = build_scheduler(ctx).get_job("digests")
        assert job is not None and isinstance(job.trigger, trigger)
        ctx.close()
