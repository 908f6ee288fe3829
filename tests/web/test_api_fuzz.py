"""The JSON API (and, slow, the pages) fuzzed from the OpenAPI schema: never a server error.

In-process (ASGI), against a copy of the seeded store of ``test_app``; the live search goes to
a closed loopback port, so it answers with its "PubMed cannot be reached" error.
"""

from __future__ import annotations

import os
from collections import Counter
from collections.abc import Iterator
from pathlib import Path
from typing import Any

import pytest
import schemathesis
from fastapi import FastAPI
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st
from hypothesis.errors import Unsatisfiable

from litwatch.web import create_app
from tests.web.test_app import EVIL, OFF, RCT, make_context, seed

FUZZ_EXAMPLES = int(os.environ.get("LITWATCH_FUZZ_EXAMPLES", "30"))
pytestmark = pytest.mark.filterwarnings("ignore::DeprecationWarning")


@pytest.fixture(scope="module")
def api_app(_sqlite_template: Path, tmp_path_factory: pytest.TempPathFactory) -> Iterator[FastAPI]:
    target = tmp_path_factory.mktemp("fuzz") / "litwatch.db"
    target.write_bytes(_sqlite_template.read_bytes())
    with make_context(f"sqlite:///{target}") as ctx:
        seed(ctx)
        app = create_app(ctx)
        # Live searches run in the request here: a background one retrying draws on `random`
        # (the retry's jitter) while Hypothesis draws the next case, which Hypothesis refuses.
        app.state.live_jobs.run_inline = True
        yield app


def operations(app: FastAPI, *, api: bool = True) -> list[schemathesis.APIOperation]:
    """The JSON API's operations (``api``), or the others: the pages and the digest links."""
    schema = schemathesis.openapi.from_asgi("/api/openapi.json", app)
    found = [result.ok() for result in schema.get_all_operations()]
    return [op for op in found if (op.path.startswith("/api/") or op.path == "/healthz") == api]


# Path values that exist in the seeded store, mixed in so the fuzz reaches past the 404s.
KNOWN = {"pmid": [RCT, EVIL, OFF], "finding_id": ["mrss-improvement", "fvc-improvement"]}


def strategy(op: schemathesis.APIOperation, mode: schemathesis.GenerationMode) -> Any:
    """Cases for ``op``: as the schema allows, and (valid mode) with the seeded path values."""
    cases = [op.as_strategy(generation_mode=mode)]
    if mode == schemathesis.GenerationMode.POSITIVE:
        for name, values in KNOWN.items():
            if "{" + name + "}" in op.path:
                cases += [
                    op.as_strategy(generation_mode=mode, path_parameters={name: v}) for v in values
                ]
    return st.one_of(cases)


def check_operation(
    op: schemathesis.APIOperation, mode: schemathesis.GenerationMode
) -> Counter[int]:
    """Every answer's status, counted; fails on a server error."""
    statuses: Counter[int] = Counter()

    @given(case=strategy(op, mode))
    @settings(max_examples=FUZZ_EXAMPLES, deadline=None, suppress_health_check=list(HealthCheck))
    def no_server_error(case: schemathesis.Case) -> None:
        response = case.call()
        statuses[response.status_code] += 1
        assert response.status_code not in (500, 501), (
            f"{case.method} {case.formatted_path} query={case.query} body={case.body!r} -> "
            f"{response.status_code}: {response.text[:300]}"
        )

    try:
        no_server_error()
    except Unsatisfiable:
        # Nothing invalid can be made for an operation without parameters (the health check).
        assert mode == schemathesis.GenerationMode.NEGATIVE
    return statuses


def test_the_schema_lists_the_api(api_app: FastAPI) -> None:
    paths = {op.path for op in operations(api_app)}
    assert {"/api/search", "/api/articles/{pmid}", "/api/evidence/{finding_id}"} <= paths


@pytest.mark.parametrize(
    "mode", [schemathesis.GenerationMode.POSITIVE, schemathesis.GenerationMode.NEGATIVE]
)
def test_api_never_answers_a_server_error(
    api_app: FastAPI, mode: schemathesis.GenerationMode
) -> None:
    reached = set()
    for op in operations(api_app):
        if 200 in check_operation(op, mode):
            reached.add(op.path)
    if mode == schemathesis.GenerationMode.POSITIVE:  # the fuzz got past the errors
        assert {"/api/articles/{pmid}", "/api/evidence/{finding_id}", "/healthz"} <= reached


@pytest.mark.slow
@pytest.mark.parametrize(
    "mode", [schemathesis.GenerationMode.POSITIVE, schemathesis.GenerationMode.NEGATIVE]
)
def test_pages_and_links_never_answer_a_server_error(
    api_app: FastAPI, mode: schemathesis.GenerationMode
) -> None:
    pages = operations(api_app, api=False)
    assert {"/", "/article/{pmid}", "/feedback/{token}"} <= {op.path for op in pages}
    for op in pages:
        check_operation(op, mode)
