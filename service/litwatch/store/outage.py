"""Telling "the database is not there just now" from other failures, in one readable line.

The scheduler's jobs catch ``DATABASE_ERRORS`` so that a database stopped for a while costs one
log line per job run, and the next run, once it is back, catches up.
"""

from __future__ import annotations

from sqlalchemy.exc import DBAPIError

DATABASE_ERRORS: tuple[type[Exception], ...] = (DBAPIError,)


def describe_database_error(exc: BaseException) -> str:
    """The driver's own message, first line only, without the SQL or the help link."""
    cause = getattr(exc, "orig", None) or exc
    text = str(cause).strip().splitlines()
    first = text[0].strip() if text else ""
    return f"{type(cause).__name__}: {first}" if first else type(cause).__name__
