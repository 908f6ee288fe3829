"""What the service checks when it starts: whether it can poll PubMed at all.

NCBI asks every tool that calls E-utilities for a contact address. Without one, polls of the
real NCBI cannot run (``Context.eutils`` refuses to build the client), and no restart-free fix
exists: settings are read once. So the service says it once at start, schedules no poll, and
shows the same sentence on every web page and in ``/healthz``. A fake or mirror E-utilities
server (``LITWATCH_EUTILS_URL``) needs no address.
"""

from __future__ import annotations

from litwatch.config import NCBI_EUTILS_URL, Settings

NO_EMAIL = (
    "polls are off: NCBI asks every tool for a contact address, and LITWATCH_NCBI_EMAIL is not "
    "set. Set it (LITWATCH_NCBI_EMAIL=you@example.org) and restart; until then the stored "
    "articles, the web pages and the digests still work."
)


def polling_problem(settings: Settings) -> str | None:
    """Why the service cannot poll with these settings, in one sentence; None when it can."""
    if not settings.ncbi_email and settings.eutils_url == NCBI_EUTILS_URL:
        return NO_EMAIL
    return None
