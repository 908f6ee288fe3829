"""Whom a budget is for: one key at one host, the key itself never stored."""

from __future__ import annotations

from litwatch.eutils.settings import EutilsSettings


def settings(base_url: str = "https://eutils.example/entrez/", api_key: str | None = None):  # type: ignore[no-untyped-def]
    return EutilsSettings(
        base_url=base_url, tool="litwatch", email="a@example.org", api_key=api_key
    )


def test_one_budget_per_key_and_host_with_the_key_hashed() -> None:
    keyed = settings(api_key="secret-key").budget_name
    assert "secret-key" not in keyed
    assert keyed == settings(api_key="secret-key").budget_name
    assert keyed != settings(api_key="other-key").budget_name
    assert keyed != settings("http://127.0.0.1:9/", api_key="secret-key").budget_name
    assert settings().budget_name == "eutils.example no key"


def test_a_request_is_surely_in_within_three_timeouts() -> None:
    assert settings().request_bound == 90.0
