"""A second process that takes a job lock and holds it until it is killed (for lock tests).

    python -m tests.helpers.lock_holder DB_URL LOCK_NAME [--ttl S] [--renew S] [--poll-run SEARCH]
        [--digest-run]

It prints ``held`` (or ``refused``) once it has asked for the lock, and then sleeps. With
``--poll-run`` or ``--digest-run`` it first starts a run, as a real poll or digest run would,
so a test can see what becomes of a run whose process is killed.
"""

from __future__ import annotations

import argparse
import sys
import time
from datetime import UTC, datetime, timedelta

from sqlmodel import Session

from litwatch.jobs.locks import job_lock
from litwatch.store.engine import make_engine
from litwatch.store.runs import start_job_run, start_poll_run
from litwatch.store.searches import get_search


def main() -> None:
    p = argparse.ArgumentParser()
    p.add_argument("url")
    p.add_argument("name")
    p.add_argument("--ttl", type=float, default=60.0)
    p.add_argument("--renew", type=float, default=None)
    p.add_argument("--poll-run", default="")
    p.add_argument("--digest-run", action="store_true")
    args = p.parse_args()
    engine = make_engine(args.url)
    ttl = timedelta(seconds=args.ttl)
    with job_lock(engine, args.name, ttl=ttl, renew_every=args.renew) as lease:
        if lease:
            now = datetime.now(UTC)
            with Session(engine) as session:
                if args.poll_run:
                    search = get_search(session, args.poll_run)
                    start_poll_run(session, search, now=now, window=(now.date(), now.date()))
                if args.digest_run:
                    start_job_run(session, "digests", started=now)
                session.commit()
        print("held" if lease else "refused", flush=True)
        while True:
            time.sleep(0.2)
            if not lease:
                sys.exit(0)


if __name__ == "__main__":
    main()
