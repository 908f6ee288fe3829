"""The export formats by name, and writing rows in one of them.

Each format is a module of this package with ``write(rows, out) -> int`` (how many were
written); a new format is one new module and one line in ``WRITERS``. Each writer streams: one
row in, one record out, so an export of any size runs in flat memory. Identifiers (DOI, PMID,
ISSN) are written as stored.
"""

from __future__ import annotations

from collections.abc import Callable, Iterable
from typing import TextIO

from litwatch.export import bibtex, csv_table, jsonl, medline, ris
from litwatch.export.rows import ExportRow

Writer = Callable[[Iterable[ExportRow], TextIO], int]

WRITERS: dict[str, Writer] = {
    "jsonl": jsonl.write,
    "csv": csv_table.write,
    "ris": ris.write,
    "bibtex": bibtex.write,
    "medline": medline.write,
}
FORMATS = tuple(WRITERS)


def write_export(rows: Iterable[ExportRow], fmt: str, out: TextIO) -> int:
    """Write ``rows`` to ``out`` in ``fmt`` (one of ``FORMATS``); return how many were written.

    For CSV, open ``out`` with ``newline=""``.
    """
    if fmt not in WRITERS:
        raise ValueError(f"unknown export format {fmt!r}: choose one of {', '.join(FORMATS)}")
    return WRITERS[fmt](rows, out)
