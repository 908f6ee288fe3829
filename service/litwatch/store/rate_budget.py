"""The request-rate budget kept in a database, so every instance with one key draws from it.

Each budget (one API key, or no key, at one E-utilities host) is a few ``rate_slot`` rows, one
per request allowed in a window; ``litwatch.eutils.ratelimit`` says why slots hold at the
server. A slot is taken by compare-and-set on its ``generation``, so of two instances racing
for it exactly one wins. Times come from the database's own clock, read inside the
statements: a slot is taken no later than its request is sent and freed no earlier than its
answer came back, whichever host's process did it, with no clocks to keep in step.

On PostgreSQL the rows live in the shared database (revision 0006). On SQLite they live in a
small file beside the database (``litwatch.db-budget``), shared by the processes of this
machine: the main file has one writer at a time and holds it while a batch is stored, and a
request that waited for that would hold up the fetching that should overlap it.
"""

from __future__ import annotations

import logging
from pathlib import Path

from sqlalchemy import Engine, Float, cast, extract, func, select, update
from sqlalchemy.engine import make_url
from sqlalchemy.exc import IntegrityError, SQLAlchemyError
from sqlalchemy.schema import CreateTable
from sqlalchemy.sql.elements import ColumnElement
from sqlmodel import Session, col

from litwatch.errors import StoreError
from litwatch.eutils.ratelimit import POLL_SECONDS, Permit
from litwatch.store.engine import make_engine
from litwatch.store.tables import RateSlot

SIDECAR_SUFFIX = "-budget"

log = logging.getLogger(__name__)


def budget_engine(engine: Engine) -> Engine | None:
    """The engine that holds the budget for a store: the store's own on PostgreSQL, a file
    beside it on SQLite (made on first use), None for an in-memory SQLite store."""
    url = engine.url
    if url.get_backend_name() != "sqlite":
        return engine
    if not url.database or url.database == ":memory:":
        return None
    sidecar = make_engine(str(make_url(f"sqlite:///{Path(url.database)}{SIDECAR_SUFFIX}")))
    # IF NOT EXISTS: several processes may start on a fresh file at once.
    with sidecar.begin() as conn:
        conn.execute(CreateTable(RateSlot.__table__, if_not_exists=True))  # type: ignore[attr-defined]
    return sidecar


def _db_now(engine: Engine) -> ColumnElement[float]:
    """The database's clock in seconds since the epoch, evaluated in the statement."""
    if engine.dialect.name == "postgresql":
        return cast(extract("epoch", func.clock_timestamp()), Float)
    return (func.julianday("now") - 2440587.5) * 86400.0


class DatabaseBudget:
    """The slots of budget ``name`` in ``engine``'s ``rate_slot`` table."""

    def __init__(self, engine: Engine, name: str) -> None:
        self.engine = engine
        self.name = name
        self._now = _db_now(engine)
        self._ensured = 0

    def take(self, slots: int, hold: float) -> Permit | float:
        """Take the slot that came free first, if it is free now; else the seconds to wait."""
        try:
            return self._take(slots, hold)
        except SQLAlchemyError as exc:
            raise StoreError(f"the request-rate budget cannot be read: {exc}") from exc

    def free(self, permit: Permit, after: float) -> None:
        """Free the permit's slot ``after`` seconds from now, unless it was taken over since."""
        try:
            self._free(permit, after)
        except SQLAlchemyError as exc:
            # The request itself went well; its slot stays taken until its hold runs out,
            # which is slower but never over the limit.
            log.warning("rate budget slot %d not freed: %s", permit.slot, exc)

    def _take(self, slots: int, hold: float) -> Permit | float:
        self._ensure(slots)
        with Session(self.engine) as session:
            slot, generation, free_at, in_flight, now = session.execute(
                select(
                    col(RateSlot.slot),
                    col(RateSlot.generation),
                    col(RateSlot.free_at),
                    col(RateSlot.in_flight),
                    self._now,
                )
                .where(col(RateSlot.budget) == self.name, col(RateSlot.slot) < slots)
                .order_by(col(RateSlot.free_at), col(RateSlot.slot))
                .limit(1)
            ).one()
            if free_at > now:
                return POLL_SECONDS if in_flight else float(free_at - now)
            taken = session.execute(  # type: ignore[attr-defined]  # an UPDATE's CursorResult
                update(RateSlot)
                .where(
                    col(RateSlot.budget) == self.name,
                    col(RateSlot.slot) == slot,
                    col(RateSlot.generation) == generation,
                    col(RateSlot.free_at) <= self._now,
                )
                .values(free_at=self._now + hold, generation=generation + 1, in_flight=True)
            ).rowcount
            session.commit()
        if not taken:
            return 0.0  # another instance took it first: look again at once
        return Permit(slot, generation + 1, float(now))

    def _free(self, permit: Permit, after: float) -> None:
        with Session(self.engine) as session:
            session.execute(
                update(RateSlot)
                .where(
                    col(RateSlot.budget) == self.name,
                    col(RateSlot.slot) == permit.slot,
                    col(RateSlot.generation) == permit.generation,
                )
                .values(free_at=self._now + after, in_flight=False)
            )
            session.commit()

    def _ensure(self, slots: int) -> None:
        """Create the budget's first ``slots`` rows if another instance has not yet."""
        if self._ensured >= slots:
            return
        with Session(self.engine) as session:
            have = set(
                session.scalars(select(col(RateSlot.slot)).where(col(RateSlot.budget) == self.name))
            )
            missing = sorted(set(range(slots)) - have)
            session.add_all(RateSlot(budget=self.name, slot=slot) for slot in missing)
            try:
                session.commit()
            except IntegrityError:  # another instance made some meanwhile: one at a time
                session.rollback()
                for slot in missing:
                    try:
                        session.add(RateSlot(budget=self.name, slot=slot))
                        session.commit()
                    except IntegrityError:
                        session.rollback()
        self._ensured = slots
