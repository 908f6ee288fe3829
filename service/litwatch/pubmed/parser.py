"""PubMed efetch XML (db=pubmed, retmode=xml) to article records, streaming with lxml.

The parser reads one record at a time and throws each away once converted, so memory stays
flat whatever the size of the answer. It never loads a DTD and never touches the network,
whatever the DOCTYPE line says.

Text shown to people (titles, abstract, names, affiliations, journal, MeSH terms, keywords,
...) is *safe markup* (see ``litwatch.pubmed.markup``); identifiers and codes (PMID, DOI, PMCID,
ISSN, ORCID, language, accession numbers, statuses) are kept as plain text.
"""

from __future__ import annotations

import io
import logging
import os
import re
from collections.abc import Iterator
from typing import IO, Any

from lxml import etree

from litwatch.errors import ParseError

# The date and ORCID helpers moved to litwatch.pubmed.dates; they stay importable from here.
from litwatch.pubmed.dates import normalise_orcid as normalise_orcid
from litwatch.pubmed.dates import parse_pub_date as parse_pub_date
from litwatch.pubmed.dates import ymd_date as ymd_date
from litwatch.pubmed.fields import article_from_element
from litwatch.records import ArticleRecord, ParsedBatch

logger = logging.getLogger(__name__)


Source = bytes | str | os.PathLike[str] | IO[bytes]

#: Kinds of the (kind, pmid) tuples ``iter_pubmed_xml`` yields beside articles.
DELETED, BOOK, FAILED = "deleted", "book", "failed"

_RECORD_TAGS = ("PubmedArticle", "PubmedBookArticle", "DeleteCitation")
_XML_DECL = re.compile(r"^\s*<\?xml[^>]*\?>")


# --------------------------------------------------------------------------- public API


def parse_pubmed_xml(source: Source) -> ParsedBatch:
    """Parse one efetch answer into a batch; bad records are logged and counted, not raised.

    Raises ``ParseError`` when nothing at all could be read (not XML, NCBI's ``<ERROR>``
    answer, or a document cut before its first record).
    """
    batch = ParsedBatch()
    for item in iter_pubmed_xml(source):
        if isinstance(item, ArticleRecord):
            batch.articles.append(item)
        elif item[0] == DELETED:
            batch.deleted_pmids.append(item[1])
        elif item[0] == BOOK:
            batch.book_pmids.append(item[1])
        else:
            batch.failed_pmids.append(item[1])
            if item[1]:
                batch.errors[item[1]] = item[2] if len(item) > 2 else "could not be read"
    return batch


def iter_pubmed_xml(source: Source) -> Iterator[ArticleRecord | tuple[str, ...]]:
    """Yield each article, and ``(kind, pmid)`` for deletions and book articles, and
    ``(kind, pmid, error)`` for failures.

    ``source`` is XML as bytes, a ``str`` that starts with ``<`` (XML text), a path, or a
    binary file object. A document cut off mid-way yields what came before the break and
    then ``("failed", pmid, error)`` for the record that was cut (``""`` if its PMID is unknown).
    """
    stream, owned = _open(source)
    try:
        yield from _iter_stream(stream)
    finally:
        if owned:
            stream.close()


# --------------------------------------------------------------------------- streaming


def _open(source: Source) -> tuple[IO[bytes], bool]:
    if isinstance(source, bytes | bytearray | memoryview):
        return io.BytesIO(bytes(source)), True
    if isinstance(source, str):
        if source.lstrip()[:1] == "<":
            # The text is already decoded: drop any encoding the declaration names.
            return io.BytesIO(_XML_DECL.sub("", source, count=1).encode("utf-8")), True
        return open(source, "rb"), True
    if isinstance(source, os.PathLike):
        return open(os.fspath(source), "rb"), True
    return source, False


def _iter_stream(stream: IO[bytes]) -> Iterator[ArticleRecord | tuple[str, ...]]:
    # End events only: asking for start events as well halves iterparse's speed.
    context = etree.iterparse(
        stream,
        events=("end",),
        tag=_RECORD_TAGS,
        load_dtd=False,
        no_network=True,
        resolve_entities=False,
        huge_tree=True,
        remove_comments=True,
        remove_pis=True,
    )
    produced = 0
    parent: Any = None
    try:
        for _, elem in context:
            yield from _convert(elem)
            produced += 1
            # Drop the record and everything before it: memory stays flat.
            elem.clear(keep_tail=True)
            parent = elem.getparent()
            if parent is not None:
                while elem.getprevious() is not None:
                    del parent[0]
    except etree.XMLSyntaxError as exc:
        if not produced:
            raise ParseError(f"not a readable PubMed XML document: {exc}") from exc
        # The half-built record, if any, hangs after the last one converted (now emptied).
        last = parent[-1] if parent is not None and len(parent) else None
        cut = _safe_pmid(last) if last is not None and len(last) else ""
        logger.warning(
            "PubMed XML broken after %d records (%s); record %s lost",
            produced,
            exc,
            cut or "with unknown PMID",
        )
        yield (FAILED, cut, f"the XML broke off in this record: {exc}")
        return
    if not produced:
        _check_empty_root(context.root)


def _check_empty_root(root: Any) -> None:
    """An answer with no records must be an empty PubmedArticleSet, else say what it is."""
    if root is None:
        raise ParseError("not a PubMed XML document: no root element")
    errors = [" ".join((e.text or "").split()) for e in root.iter("ERROR")]
    if errors:
        raise ParseError("NCBI answered with an error: " + "; ".join(errors))
    if root.tag != "PubmedArticleSet":
        raise ParseError(f"not a PubMed efetch answer: root element <{root.tag}>")


def _convert(elem: Any) -> Iterator[ArticleRecord | tuple[str, ...]]:
    tag = elem.tag
    if tag == "DeleteCitation":
        for child in elem:
            if child.tag == "PMID" and child.text:
                yield (DELETED, child.text.strip())
        return
    if tag == "PubmedBookArticle":
        pmid = _book_pmid(elem)
        logger.info("PMID %s is a book article (PubmedBookArticle): not stored", pmid)
        yield (BOOK, pmid)
        return
    try:
        record = article_from_element(elem)
    except Exception as exc:  # one bad record must not cost the batch: log it and go on
        pmid = _safe_pmid(elem)
        logger.warning("PMID %s could not be converted: %r", pmid or "(unknown)", exc)
        yield (FAILED, pmid, f"{type(exc).__name__}: {exc}")
        return
    yield record


def _safe_pmid(elem: Any) -> str:
    try:
        node = elem.find("MedlineCitation/PMID")
        if node is None:
            node = elem.find("BookDocument/PMID")
        return (node.text or "").strip() if node is not None else ""
    except Exception:  # the PMID is only for the log line; never fail over it
        return ""


def _book_pmid(elem: Any) -> str:
    node = elem.find("BookDocument/PMID")
    return (node.text or "").strip() if node is not None else ""
