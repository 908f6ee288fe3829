"""Reading what a request sends: a urlencoded form or a JSON object, and yes/no words."""

from __future__ import annotations

import json
from typing import Any
from urllib.parse import parse_qs

from fastapi import Request
from starlette.datastructures import FormData
from starlette.formparsers import MultiPartException

MAX_UPLOAD = 20 * 1024 * 1024  # bytes of one uploaded file
TRUE_WORDS = ("1", "true", "yes", "on", "relevant")
FALSE_WORDS = ("0", "false", "no", "off", "not-relevant")


async def read_fields(request: Request) -> dict[str, Any]:
    """The fields of a urlencoded form, a JSON object body or a multipart form (its text
    fields; ``read_upload`` gives its file); empty for anything else."""
    body = await request.body()
    kind = request.headers.get("content-type", "")
    if kind.startswith("multipart/form-data"):
        form = await _multipart(request)
        return {k: v for k, v in form.items() if isinstance(v, str)}
    if kind.startswith("application/json"):
        try:
            data = json.loads(body or b"{}")
        except ValueError:
            return {}
        return data if isinstance(data, dict) else {}
    fields = parse_qs(body.decode("utf-8", "replace"), keep_blank_values=True)
    return {key: values[-1] for key, values in fields.items()}


async def read_form_lists(request: Request) -> dict[str, list[str]]:
    """Every value of every field of a urlencoded form (check boxes repeat a name)."""
    body = await request.body()
    return parse_qs(body.decode("utf-8", "replace"), keep_blank_values=True)


def to_bool(value: Any) -> bool | None:
    """true/false from JSON or a form field; None when it says neither."""
    if isinstance(value, bool):
        return value
    if isinstance(value, str):
        word = value.strip().lower()
        if word in TRUE_WORDS:
            return True
        if word in FALSE_WORDS:
            return False
    return None


async def _multipart(request: Request) -> dict[str, str | tuple[str, bytes]]:
    """A multipart form's fields, its file read into memory and closed at once (so no
    spooled temporary file outlives the request, whoever reads the form first)."""
    cached = getattr(request.state, "multipart", None)
    if cached is not None:
        return cached  # type: ignore[no-any-return]
    try:
        form = await request.form(max_files=1, max_fields=20, max_part_size=MAX_UPLOAD)
    except (MultiPartException, ValueError, KeyError):
        form = FormData()
    fields: dict[str, str | tuple[str, bytes]] = {}
    for key, value in form.multi_items():
        if isinstance(value, str):
            fields[key] = value
        else:
            fields[key] = (value.filename or "", await value.read(MAX_UPLOAD + 1))
            await value.close()
    request.state.multipart = fields
    return fields


async def read_upload(request: Request, name: str) -> tuple[str, bytes] | None:
    """The file sent in field ``name`` of a multipart form, as (file name, bytes); None when
    there is none."""
    if not request.headers.get("content-type", "").startswith("multipart/form-data"):
        return None
    upload = (await _multipart(request)).get(name)
    return upload if isinstance(upload, tuple) else None
