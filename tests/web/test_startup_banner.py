"""A service that cannot poll says so on every page (the base template's banner) and in
/healthz; one that can shows no banner."""

from __future__ import annotations

import httpx
import pytest

from litwatch.config import NCBI_EUTILS_URL, load_settings
from litwatch.context import build_context
from litwatch.web import create_app
from tests.web.test_app import serving


@pytest.fixture(params=["", "team@example.org"], ids=["no-address", "address"])
def site(request: pytest.FixtureRequest, migrated_sqlite_url: str):  # type: ignore[no-untyped-def]
    settings = load_settings(
        database_url=migrated_sqlite_url,
        eutils_url=NCBI_EUTILS_URL,  # never reached: these pages do not search
        ncbi_email=request.param,
        secret_key="s",
        web_public_read=True,  # the pages themselves, not the login page
    )
    ctx = build_context(settings)
    with serving(create_app(ctx)) as url, httpx.Client(base_url=url, trust_env=False) as client:
        yield request.param, client
    ctx.close()


def test_banner_on_every_page(site) -> None:  # type: ignore[no-untyped-def]
    email, client = site
    pages = (("/", 200), ("/evidence/mrss-improvement", 200), ("/login", 200), ("/nowhere", 404))
    for path, status in pages:
        page = client.get(path)
        assert page.status_code == status, path
        shown = 'id="service-banner"' in page.text
        assert shown == (not email), path
        if shown:
            assert "LITWATCH_NCBI_EMAIL" in page.text and 'role="alert"' in page.text


def test_healthz_says_polling_is_off(site) -> None:  # type: ignore[no-untyped-def]
    email, client = site
    response = client.get("/healthz")
    body = response.json()
    if email:
        assert response.status_code == 200 and body["polling"] == "on"
        assert body["problems"] == []
    else:
        assert response.status_code == 503
        assert (body["status"], body["database"], body["polling"]) == ("error", "ok", "off")
        assert len(body["problems"]) == 1 and "LITWATCH_NCBI_EMAIL" in body["problems"][0]
