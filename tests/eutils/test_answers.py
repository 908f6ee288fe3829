"""Reading E-utilities answers: pure functions over real and hand-made bodies."""

from __future__ import annotations

from pathlib import Path

import pytest

from litwatch.errors import EutilsError, HistoryExpiredError
from litwatch.eutils.answers import (
    GarbledAnswer,
    check_efetch,
    is_rate_limit_notice,
    parse_esearch,
    stated_error_text,
)


@pytest.mark.parametrize(
    "name, count, ids, first, translation",
    [
        ("esearch1.xml", 63, 20, "41282813", '"biopython"[All Fields]'),
        ("esearch3.xml", 2651, 6, "11121077", '"proc natl acad sci u s a"[Journal] AND'),
        ("esearch5.xml", 5, 5, "6540636", '("stem cells"[MeSH Terms]'),
        ("Klortho-Eutils-JSON/esearch.pubmed.xml", 15169, 100, "23175848", ""),
    ],
)
def test_real_esearch_answers(
    shared_fixtures: Path, name: str, count: int, ids: int, first: str, translation: str
) -> None:
    result = parse_esearch((shared_fixtures / name).read_bytes(), term="t")
    assert (result.count, len(result.ids), result.ids[0]) == (count, ids, first)
    assert result.query_translation.startswith(translation)
    assert result.warnings == []


def test_old_answer_with_http_dtd_is_read_offline(shared_fixtures: Path) -> None:
    # Its DOCTYPE names an http:// DTD; reading must neither fetch it nor fail.
    body = (shared_fixtures / "Klortho-Eutils-JSON" / "esearch.pubmed.xml").read_bytes()
    result = parse_esearch(body, term="cancer")
    assert result.webenv is not None and result.webenv.startswith("NCID_1_")
    assert result.retmax == 100


def test_external_entities_are_not_expanded(tmp_path: Path) -> None:
    secret = tmp_path / "secret.txt"
    secret.write_text("do-not-read")
    body = (
        f'<?xml version="1.0"?><!DOCTYPE r [<!ENTITY x SYSTEM "file://{secret}">]>'
        "<eSearchResult><Count>0</Count><QueryTranslation>&x;</QueryTranslation>"
        "</eSearchResult>"
    ).encode()
    assert "do-not-read" not in parse_esearch(body, term="t").query_translation


def test_efetch_check_accepts_only_whole_sets() -> None:
    check_efetch(b"<PubmedArticleSet></PubmedArticleSet>\n")
    check_efetch(b"<PubmedArticleSet />")
    with pytest.raises(GarbledAnswer):
        check_efetch(b"<PubmedArticleSet><PubmedArticle>")
    with pytest.raises(GarbledAnswer):
        check_efetch(b"<eSearchResult><Count>1</Count></eSearchResult>")


@pytest.mark.parametrize(
    "message",
    ["Unable to obtain query #1", "unable to obtain query #12 from the history server"],
)
def test_efetch_expired_session(message: str) -> None:
    body = f"<eFetchResult><ERROR>{message}</ERROR></eFetchResult>".encode()
    with pytest.raises(HistoryExpiredError) as caught:
        check_efetch(body, request="efetch query_key=1")
    assert caught.value.retryable is True
    assert "efetch query_key=1" in str(caught.value)


def test_efetch_other_error_is_plain() -> None:
    with pytest.raises(EutilsError) as caught:
        check_efetch(b"<eFetchResult><ERROR>ID list is empty</ERROR></eFetchResult>")
    assert type(caught.value) is EutilsError
    assert "ID list is empty" in str(caught.value)


def test_rate_limit_notice() -> None:
    assert is_rate_limit_notice(b' {"error":"API rate limit exceeded","count":"11"}')
    assert not is_rate_limit_notice(b"<eSearchResult/>")


def test_stated_error_text() -> None:
    assert stated_error_text(b"<r><ERROR>a</ERROR><ERROR> b </ERROR></r>") == "a; b"
    assert stated_error_text(b'{"error": "API key invalid"}') == "API key invalid"
    assert stated_error_text(b"<html>\n  Not   Found</html>") == "<html> Not Found</html>"
