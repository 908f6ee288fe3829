"""`litwatch serve`: the scheduler and the web app in one process, stopped cleanly by a signal.

The signal handlers go in first, so a SIGTERM that arrives while the service is still starting
is honoured too. On SIGTERM or SIGINT the web server stops taking requests, then the scheduler
shuts down waiting for the job in flight: a poll finishes its batch and commits, or rolls back.
The web app comes in as a factory (``serve(ctx, make_app=create_app)``), so the jobs never
import the web layer that sits above them.
"""

from __future__ import annotations

import gc
import logging
import signal
import threading
from collections.abc import Callable, Iterator
from contextlib import contextmanager
from types import FrameType
from typing import Any

from litwatch.context import Context
from litwatch.jobs.scheduler import running_scheduler
from litwatch.jobs.startup import polling_problem

log = logging.getLogger(__name__)


@contextmanager
def stop_on_signal() -> Iterator[threading.Event]:
    """An event set by SIGTERM or SIGINT while the block runs (old handlers restored after)."""
    stop = threading.Event()

    def _handler(signum: int, _frame: FrameType | None) -> None:
        # A stop is often signalled twice (a process group signalled, and `make` passing the
        # signal on to its child): say it once.
        if stop.is_set():
            log.debug("signal %s received again: already stopping", signal.Signals(signum).name)
            return
        log.info("signal %s received", signal.Signals(signum).name)
        stop.set()

    previous = {s: signal.signal(s, _handler) for s in (signal.SIGTERM, signal.SIGINT)}
    try:
        yield stop
    finally:
        for s, handler in previous.items():
            signal.signal(s, handler)


AppFactory = Callable[[Context], Any]  # Context -> an ASGI app


def serve(
    ctx: Context,
    *,
    make_app: AppFactory | None = None,
    host: str | None = None,
    port: int | None = None,
) -> None:
    """Run until a signal: scheduled polls and digests, and the web app ``make_app`` builds
    (none without one)."""
    problem = polling_problem(ctx.settings)
    if problem is not None:
        log.error(problem)  # once: no poll is scheduled, so none fails later
    with stop_on_signal() as stop:
        with running_scheduler(ctx) as sched:
            log.info("scheduler started: %s", ", ".join(sorted(j.id for j in sched.get_jobs())))
            server = None
            if make_app is not None and not stop.is_set():
                app = make_app(ctx)
                server = _start_web(
                    app, host or ctx.settings.web_host, port or ctx.settings.web_port
                )
            while not stop.wait(1.0):
                if server is not None and not server[1].is_alive():
                    log.error("the web server stopped; stopping the service")
                    break
            log.info("stopping: waiting for the job in flight")
            if server is not None:
                server[0].should_exit = True
                server[1].join()
    log.info("stopped")


def settle_heap() -> None:
    """Move what start-up made (modules, the app, the knowledge base: 150,000 objects) out
    of the cyclic collector's sight (``gc.freeze``) before serving. It lives as long as the
    process, and each full collection would walk all of it again, holding a request up by
    100 ms now and then; after it, a full collection walks only what serving made."""
    gc.collect()
    gc.freeze()


def _start_web(app: Any, host: str, port: int) -> tuple[Any, threading.Thread]:
    import uvicorn

    settle_heap()
    config = uvicorn.Config(app, host=host, port=port, log_level="warning", access_log=False)
    server = uvicorn.Server(config)
    # Off the main thread uvicorn leaves the signal handlers alone: ours stay in charge.
    thread = threading.Thread(target=server.run, name="litwatch-web", daemon=True)
    thread.start()
    log.info("web app on http://%s:%s/", host, port)
    return server, thread
