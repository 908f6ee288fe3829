"""The replies a fake E-utilities server sends, their bodies shaped like NCBI's own, and the
log it keeps of the requests it got."""

from __future__ import annotations

import json
from collections.abc import Iterable
from dataclasses import dataclass, field
from xml.sax.saxutils import escape


@dataclass(slots=True)
class Reply:
    status: int
    body: bytes
    headers: dict[str, str] = field(default_factory=dict)
    truncate: bool = False  # cut the body midway on the wire


@dataclass(slots=True)
class LoggedRequest:
    method: str
    path: str  # "esearch.fcgi", "efetch.fcgi", ...
    params: dict[str, str]
    client: str
    status: int = 0
    arrived: float = 0.0  # the server's clock when the request had arrived whole

    @property
    def who(self) -> str:
        """Whom NCBI counts the request against: its API key, else its address."""
        return self.params.get("api_key") or self.client


ESEARCH_DOCTYPE = (
    '<!DOCTYPE eSearchResult PUBLIC "-//NLM//DTD esearch 20060628//EN" '
    '"https://eutils.ncbi.nlm.nih.gov/eutils/dtd/20060628/esearch.dtd">'
)
PUBMED_DOCTYPE = (
    '<!DOCTYPE PubmedArticleSet PUBLIC "-//NLM//DTD PubMedArticle, 1st January 2025//EN" '
    '"https://dtd.nlm.nih.gov/ncbi/pubmed/out/pubmed_250101.dtd">'
)
XML_HEAD = '<?xml version="1.0" encoding="UTF-8" ?>\n'


def esearch_xml(
    *,
    count: int = 0,
    retstart: int = 0,
    ids: Iterable[str] = (),
    query_key: int | None = None,
    webenv: str | None = None,
    translation: str | None = None,
    not_found: Iterable[str] = (),
    warnings: Iterable[str] = (),
    error: str | None = None,
    only_error: bool = False,
) -> bytes:
    """An eSearchResult document; ``only_error`` gives the bare ``<ERROR>`` form."""
    if only_error:
        return (
            f"{XML_HEAD}{ESEARCH_DOCTYPE}\n<eSearchResult><ERROR>{escape(error or '')}</ERROR>"
            "</eSearchResult>\n"
        ).encode()
    id_list = list(ids)
    parts = [
        f"<Count>{count}</Count><RetMax>{len(id_list)}</RetMax><RetStart>{retstart}</RetStart>"
    ]
    if query_key is not None and webenv is not None:
        parts.append(f"<QueryKey>{query_key}</QueryKey><WebEnv>{webenv}</WebEnv>")
    if id_list:
        parts.append("<IdList>\n" + "".join(f"<Id>{i}</Id>\n" for i in id_list) + "</IdList>")
    else:
        parts.append("<IdList/>")
    parts.append("<TranslationSet/>")
    if translation is not None:
        parts.append(f"<QueryTranslation>{escape(translation)}</QueryTranslation>")
    if error:
        parts.append(f"<ERROR>{escape(error)}</ERROR>")
    missing = list(not_found)
    if missing:
        parts.append(
            "<ErrorList>"
            + "".join(f"<PhraseNotFound>{escape(m)}</PhraseNotFound>" for m in missing)
            + "</ErrorList>"
        )
    notes = list(warnings)
    if notes:
        parts.append(
            "<WarningList>"
            + "".join(f"<OutputMessage>{escape(w)}</OutputMessage>" for w in notes)
            + "</WarningList>"
        )
    body = "".join(parts)
    return f"{XML_HEAD}{ESEARCH_DOCTYPE}\n<eSearchResult>{body}</eSearchResult>\n".encode()


def esearch_json(
    *,
    count: int = 0,
    retstart: int = 0,
    ids: Iterable[str] = (),
    query_key: int | None = None,
    webenv: str | None = None,
    translation: str | None = None,
    not_found: Iterable[str] = (),
    warnings: Iterable[str] = (),
    error: str | None = None,
    only_error: bool = False,
) -> bytes:
    """The same answer in esearch's ``retmode=json`` shape (strings for numbers, as NCBI)."""
    result: dict[str, object]
    if only_error:
        result = {"ERROR": error or ""}
    else:
        id_list = list(ids)
        result = {
            "count": str(count),
            "retmax": str(len(id_list)),
            "retstart": str(retstart),
            "idlist": id_list,
            "translationset": [],
            "querytranslation": translation or "",
        }
        if query_key is not None and webenv is not None:
            result["querykey"] = str(query_key)
            result["webenv"] = webenv
        if error:
            result["ERROR"] = error
        missing = list(not_found)
        if missing:
            result["errorlist"] = {"phrasesnotfound": missing, "fieldsnotfound": []}
        notes = list(warnings)
        if notes:
            result["warninglist"] = {"outputmessages": notes}
    doc = {"header": {"type": "esearch", "version": "0.3"}, "esearchresult": result}
    return json.dumps(doc).encode()


def efetch_error(message: str) -> bytes:
    """The eFetchResult error form NCBI sends with HTTP 200."""
    return f"{XML_HEAD}<eFetchResult>\n\t<ERROR>{escape(message)}</ERROR>\n</eFetchResult>".encode()


def article_set(records: Iterable[bytes], deleted: Iterable[str] = ()) -> bytes:
    """A PubmedArticleSet holding stored records verbatim, then DeleteCitation if any."""
    gone = list(deleted)
    tail = b""
    if gone:
        pmids = "".join(f'<PMID Version="1">{p}</PMID>' for p in gone)
        tail = f"<DeleteCitation>{pmids}</DeleteCitation>\n".encode()
    head = f'<?xml version="1.0" ?>\n{PUBMED_DOCTYPE}\n<PubmedArticleSet>\n'.encode()
    return head + b"\n".join(records) + b"\n" + tail + b"</PubmedArticleSet>\n"


def rate_limited(who: str, count: int, limit: int) -> bytes:
    """The JSON body NCBI sends with HTTP 429."""
    doc = {
        "error": "API rate limit exceeded",
        "api-key": who,
        "count": str(count),
        "limit": str(limit),
    }
    return json.dumps(doc).encode()


def server_error(status: int) -> bytes:
    """A small HTML page like the ones NCBI's front end sends with a 5xx."""
    return (
        f"<html><head><title>{status} Server Error</title></head><body><h1>{status}</h1>"
        "<p>The backend did not answer. Try again later.</p></body></html>"
    ).encode()
