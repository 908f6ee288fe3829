"""JSON lines: one JSON object per article, markup kept, with plain copies of title and abstract."""

from __future__ import annotations

import json
from collections.abc import Iterable
from typing import TextIO

from litwatch.export.fields import iso, plain_abstract
from litwatch.export.rows import ExportRow
from litwatch.pubmed.markup import to_plain

# Characters str.splitlines() breaks on that json.dumps(ensure_ascii=False) leaves raw.
_JSON_LINE_BREAKS = str.maketrans({"\x85": "\\u0085", "\u2028": "\\u2028", "\u2029": "\\u2029"})


def write(rows: Iterable[ExportRow], out: TextIO) -> int:
    count = 0
    for row in rows:
        article, c = row.article, row.classification
        record = article.to_dict()
        record["title_plain"] = to_plain(article.title)
        record["abstract_plain"] = plain_abstract(article)
        record["retracted"] = article.retracted
        record["classification"] = c.to_dict() if c is not None else None
        record["searches"] = list(row.searches)
        record["first_seen"] = iso(row.first_seen)
        line = json.dumps(record, ensure_ascii=False).translate(_JSON_LINE_BREAKS)
        out.write(line + "\n")
        count += 1
    return count
