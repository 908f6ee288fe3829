"""`litwatch serve`: the scheduler and the web app in one process, stopped cleanly by a signal.

On SIGTERM or SIGINT the web server stops taking requests, then the scheduler shuts down
waiting for the job in flight: a poll finishes its batch and commits, or rolls back.
"""

from __future__ import annotations

import logging
import signal
import threading
from types import FrameType

from litwatch.context import Context
from litwatch.scheduler import running_scheduler

log = logging.getLogger(__name__)


def serve(
    ctx: Context, *, web: bool = True, host: str | None = None, port: int | None = None
) -> None:
    """Run until a signal: scheduled polls and digests, and the web app unless ``web`` is off."""
    with running_scheduler(ctx) as sched:
        log.info("scheduler started: %s", ", ".join(sorted(j.id for j in sched.get_jobs())))
        try:
            if web:
                _run_web(ctx, host or ctx.settings.web_host, port or ctx.settings.web_port)
            else:
                _wait_for_signal()
        finally:
            log.info("stopping: waiting for the job in flight")
    log.info("stopped")


def _run_web(ctx: Context, host: str, port: int) -> None:
    import uvicorn

    from litwatch.web import create_app

    config = uvicorn.Config(
        create_app(ctx), host=host, port=port, log_level="warning", access_log=False
    )
    log.info("web app on http://%s:%s/", host, port)
    uvicorn.Server(config).run()  # returns on SIGINT/SIGTERM


def _wait_for_signal() -> None:
    stop = threading.Event()

    def _handler(signum: int, _frame: FrameType | None) -> None:
        log.info("signal %s received", signal.Signals(signum).name)
        stop.set()

    previous = {s: signal.signal(s, _handler) for s in (signal.SIGTERM, signal.SIGINT)}
    try:
        while not stop.wait(1.0):
            pass
    finally:
        for s, handler in previous.items():
            signal.signal(s, handler)
