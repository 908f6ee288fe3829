"""Reading what E-utilities answered: esearch results, errors inside a 200, broken bodies.

Pure functions over bytes. A body that is not the document it should be (cut short, an HTML
error page from a proxy, a JSON rate-limit notice) raises :class:`GarbledAnswer`, which the
client treats as a transport fault and retries; an error NCBI states on purpose raises from
the :mod:`litwatch.errors` tree.
"""

from __future__ import annotations

import logging
import re
from dataclasses import dataclass
from datetime import date

from lxml import etree

from litwatch.errors import EutilsError, HistoryExpiredError, QueryError

log = logging.getLogger(__name__)

PUBMED_SET_END = b"</PubmedArticleSet>"

# NCBI's own wording when a history session (WebEnv/query_key) is unknown or gone.
_EXPIRED = re.compile(r"unable to obtain query|invalid webenv|webenv .*(expired|not found)", re.I)
# Backend hiccups NCBI reports inside a 200; asking again a little later usually works.
_TRANSIENT = re.compile(r"temporarily unavailable|timed? ?out|try again later", re.I)


class GarbledAnswer(Exception):
    """The body is not a complete answer of the expected kind; worth asking again."""


@dataclass
class SearchResult:
    """One esearch answer, with what is needed to run the same search again."""

    count: int
    ids: list[str]
    webenv: str | None
    query_key: str | None
    query_translation: str
    warnings: list[str]
    term: str
    datetype: str | None = None
    mindate: date | None = None
    maxdate: date | None = None
    sort: str | None = None
    retstart: int = 0
    retmax: int = 0


def _parser() -> etree.XMLParser:
    # Never fetch a DTD or an external entity: answers are read offline, as data.
    return etree.XMLParser(
        resolve_entities=False, no_network=True, load_dtd=False, dtd_validation=False
    )


def _parse_xml(body: bytes, what: str) -> etree._Element:
    try:
        root = etree.fromstring(body, _parser())
    except etree.XMLSyntaxError as exc:
        raise GarbledAnswer(f"{what} answer is not complete XML: {exc}; {_preview(body)}") from exc
    if root is None:
        raise GarbledAnswer(f"{what} answer is empty")
    return root


def _preview(body: bytes, limit: int = 120) -> str:
    text = body[:limit].decode("utf-8", "replace").replace("\n", " ").strip()
    return f"body starts {text!r}" if text else "body is empty"


def is_rate_limit_notice(body: bytes) -> bool:
    """True for NCBI's JSON answer to too many requests (sent with 429, sometimes with 200)."""
    head = body[:300].lstrip()
    return head.startswith(b"{") and b"rate limit" in head.lower()


def _raise_stated_error(messages: list[str], request: str) -> None:
    text = "; ".join(messages)
    if _TRANSIENT.search(text):
        raise GarbledAnswer(f"NCBI reported a passing fault: {text}")
    raise QueryError(f"NCBI refused the search: {text}", request=request)


def parse_esearch(body: bytes, *, term: str, request: str = "") -> SearchResult:
    """Read an esearch XML answer; raise QueryError for an ``<ERROR>`` NCBI put in it."""
    if is_rate_limit_notice(body):
        raise GarbledAnswer("NCBI answered with a rate-limit notice")
    root = _parse_xml(body, "esearch")
    # An <ERROR> is NCBI speaking on purpose, whatever the root (a bad db gets one too).
    errors = [(e.text or "").strip() for e in root.findall("ERROR")]
    if errors:
        _raise_stated_error(errors, request)
    if root.tag != "eSearchResult":
        raise GarbledAnswer(f"esearch answer has root <{root.tag}>, not <eSearchResult>")
    count_text = root.findtext("Count")
    if count_text is None or not count_text.strip().isdigit():
        raise GarbledAnswer(f"esearch answer has no usable <Count>: {_preview(body)}")
    count = int(count_text)

    warnings: list[str] = []
    not_found: list[str] = []
    other: list[str] = []
    for item in root.findall("ErrorList/*"):
        text = (item.text or "").strip()
        warnings.append(f"{item.tag}: {text}")
        (not_found if item.tag == "PhraseNotFound" else other).append(f"{item.tag}: {text}")
    # NCBI drops the unknown part and runs the rest, which silently widens or empties the
    # result: say so every time, in one line. A phrase PubMed does not know yet (a brand
    # name ORed into a query) is ordinary; an unknown field is not.
    short = term if len(term) <= 120 else term[:117] + "..."
    if other:
        log.warning("esearch %s (term %r)", "; ".join(other + not_found), short)
    elif not_found and count:
        log.info("esearch %s (term %r)", "; ".join(not_found), short)
    for item in root.findall("WarningList/*"):
        warnings.append(f"{item.tag}: {(item.text or '').strip()}")
    if count == 0 and not_found:
        log.warning(
            "esearch found nothing for %r, and NCBI did not recognise %s: "
            "the empty result may come from a mistyped term",
            short,
            ", ".join(repr(p.split(": ", 1)[1]) for p in not_found),
        )

    return SearchResult(
        count=count,
        ids=[(e.text or "").strip() for e in root.findall("IdList/Id")],
        webenv=_text_or_none(root, "WebEnv"),
        query_key=_text_or_none(root, "QueryKey"),
        query_translation=(root.findtext("QueryTranslation") or "").strip(),
        warnings=warnings,
        term=term,
        retstart=int(root.findtext("RetStart") or 0),
        retmax=int(root.findtext("RetMax") or 0),
    )


def _text_or_none(root: etree._Element, path: str) -> str | None:
    text = root.findtext(path)
    return text.strip() if text and text.strip() else None


def check_efetch(body: bytes, *, request: str = "") -> None:
    """Accept a complete PubmedArticleSet; raise for a cut-off body or a stated error."""
    if body.rstrip().endswith(PUBMED_SET_END):
        return
    if is_rate_limit_notice(body):
        raise GarbledAnswer("NCBI answered with a rate-limit notice")
    root = _parse_xml(body, "efetch")
    if root.tag == "PubmedArticleSet":
        return  # e.g. written as an empty element, <PubmedArticleSet/>
    if root.tag == "eFetchResult":
        errors = [(e.text or "").strip() for e in root.iter("ERROR")]
        text = "; ".join(errors) or "no message"
        if _EXPIRED.search(text):
            raise HistoryExpiredError(f"history session is gone: {text}", request=request)
        if _TRANSIENT.search(text):
            raise GarbledAnswer(f"NCBI reported a passing fault: {text}")
        raise EutilsError(f"efetch failed: {text}", request=request)
    raise GarbledAnswer(f"efetch answer has root <{root.tag}>, not <PubmedArticleSet>")


def stated_error_text(body: bytes) -> str:
    """The message in an error answer (XML ``<ERROR>`` or JSON ``error``), for a 4xx report."""
    text = body[:2000].decode("utf-8", "replace")
    found = re.findall(r"<ERROR>(.*?)</ERROR>", text, re.S)
    if found:
        return "; ".join(m.strip() for m in found)
    match = re.search(r'"error"\s*:\s*"([^"]*)"', text)
    if match:
        return match.group(1)
    return " ".join(text.split())[:200]


def is_expired_history_text(text: str) -> bool:
    """True when an error message says the WebEnv/query_key session is unknown or gone."""
    return bool(_EXPIRED.search(text))
