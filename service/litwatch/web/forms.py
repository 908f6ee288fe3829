"""Reading what a request sends: a urlencoded form or a JSON object, and yes/no words."""

from __future__ import annotations

import json
from typing import Any
from urllib.parse import parse_qs

from fastapi import Request

TRUE_WORDS = ("1", "true", "yes", "on", "relevant")
FALSE_WORDS = ("0", "false", "no", "off", "not-relevant")


async def read_fields(request: Request) -> dict[str, Any]:
    """The fields of a urlencoded form or a JSON object body (empty for anything else)."""
    body = await request.body()
    kind = request.headers.get("content-type", "")
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
