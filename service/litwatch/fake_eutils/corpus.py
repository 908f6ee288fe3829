"""An in-memory PubMed: records kept verbatim, indexed for the query subset in ``query``.

Records can be added, revised and deleted while a server is answering, so that a test can
make "new" and "changed" records appear between two polls.
"""

from __future__ import annotations

import dataclasses
import threading
from collections.abc import Iterable
from datetime import date
from pathlib import Path

from lxml import etree

from litwatch.fake_eutils.indexing import IndexedRecord, index_article, parse_articles, xml_parser
from litwatch.fake_eutils.matching import match_date, match_term
from litwatch.fake_eutils.query import BoolOp, DateRange, Node, Term


class Corpus:
    """Records by PMID, searchable with a parsed query; safe to use from several threads."""

    def __init__(self, records: Iterable[IndexedRecord] = ()) -> None:
        self._lock = threading.RLock()
        self._records: dict[str, IndexedRecord] = {}
        self._deleted: set[str] = set()
        self._cache: dict[Node, frozenset[str]] = {}
        self._order: dict[str, list[str]] = {}
        self.version = 0
        self._put(list(records))

    @classmethod
    def from_dir(cls, path: str | Path) -> Corpus:
        """Load every ``*.xml`` PubmedArticleSet file in ``path``."""
        corpus = cls()
        files = sorted(Path(path).glob("*.xml"))
        if not files:
            raise FileNotFoundError(f"no *.xml files in {path}")
        for file in files:
            corpus.add_records(file.read_bytes())
        return corpus

    def __len__(self) -> int:
        with self._lock:
            return len(self._records)

    def __contains__(self, pmid: object) -> bool:
        with self._lock:
            return pmid in self._records

    def pmids(self) -> list[str]:
        """Every stored PMID, most recent first."""
        with self._lock:
            return list(self._sorted("crdt"))

    def records(self) -> list[IndexedRecord]:
        """Every stored record (to build another corpus from, cheaply)."""
        with self._lock:
            return list(self._records.values())

    def get(self, pmid: str) -> IndexedRecord | None:
        with self._lock:
            return self._records.get(pmid)

    def is_deleted(self, pmid: str) -> bool:
        with self._lock:
            return pmid in self._deleted

    def _put(self, records: list[IndexedRecord]) -> None:
        with self._lock:
            for rec in records:
                self._records[rec.pmid] = rec
                self._deleted.discard(rec.pmid)
            self._changed()

    def _changed(self) -> None:
        self.version += 1
        self._cache.clear()
        self._order.clear()

    def add_records(self, xml_bytes: bytes) -> list[str]:
        """Add (or overwrite) the records in a PubmedArticleSet; return their PMIDs."""
        records = parse_articles(xml_bytes)
        self._put(records)
        return [r.pmid for r in records]

    def replace_record(self, xml_bytes: bytes) -> str:
        """Replace one existing record by a new version of it; return its PMID."""
        records = parse_articles(xml_bytes)
        if len(records) != 1:
            raise ValueError(f"replace_record takes one record, got {len(records)}")
        with self._lock:
            if records[0].pmid not in self._records:
                raise KeyError(records[0].pmid)
            self._put(records)
        return records[0].pmid

    def revise_record(self, pmid: str, *, revised: date, title: str | None = None) -> None:
        """Bump a record's DateRevised (so ``mdat`` finds it) and optionally change its title."""
        with self._lock:
            rec = self._records[pmid]
            root = etree.fromstring(rec.xml, xml_parser())
            cit = root.find("MedlineCitation")
            assert cit is not None
            dr = cit.find("DateRevised")
            if dr is None:
                dr = etree.Element("DateRevised")
                cit.find("PMID").addnext(dr)  # type: ignore[union-attr]
            for child in list(dr):
                dr.remove(child)
            for tag, value in (("Year", revised.year), ("Month", revised.month)):
                etree.SubElement(dr, tag).text = f"{value:02d}"
            etree.SubElement(dr, "Day").text = f"{revised.day:02d}"
            if title is not None:
                t = cit.find("Article/ArticleTitle")
                assert t is not None
                for child in list(t):
                    t.remove(child)
                t.text = title
            self._put([index_article(root)])

    def replace_raw(self, pmid: str, xml: bytes) -> None:
        """Serve ``xml`` verbatim for ``pmid`` from now on (even if broken); the index stays."""
        with self._lock:
            self._records[pmid] = dataclasses.replace(self._records[pmid], xml=xml)

    def delete(self, pmid: str) -> None:
        """Remove a record; efetch then answers with a DeleteCitation for it."""
        with self._lock:
            if self._records.pop(pmid, None) is not None:
                self._deleted.add(pmid)
                self._changed()

    # --- searching ---------------------------------------------------------------------------

    def _sorted(self, sort: str) -> list[str]:
        order = self._order.get(sort)
        if order is None:
            recs = self._records.values()
            if sort == "pub_date":
                order = [
                    r.pmid
                    for r in sorted(recs, key=lambda r: (r.dp or r.crdt, int(r.pmid)), reverse=True)
                ]
            else:
                order = [
                    r.pmid for r in sorted(recs, key=lambda r: (r.crdt, int(r.pmid)), reverse=True)
                ]
            self._order[sort] = order
        return order

    def _eval(self, node: Node) -> frozenset[str]:
        if isinstance(node, BoolOp):
            left = self._eval(node.left)
            if node.op == "AND":
                return left & self._eval(node.right) if left else left
            if node.op == "OR":
                return left | self._eval(node.right)
            return left - self._eval(node.right) if left else left
        hit = self._cache.get(node)
        if hit is None:
            if isinstance(node, DateRange):
                hit = frozenset(p for p, r in self._records.items() if match_date(node, r.doc))
            else:
                hit = frozenset(p for p, r in self._records.items() if match_term(node, r.doc))
            self._cache[node] = hit
        return hit

    def search(self, node: Node, *, sort: str = "") -> list[str]:
        """PMIDs matching ``node``, most recently created first (or by ``sort="pub_date"``)."""
        with self._lock:
            hits = self._eval(node)
            return [p for p in self._sorted(sort) if p in hits]

    def unmatched_terms(self, node: Node) -> list[Term]:
        """The terms of ``node`` that match no record at all (PubMed's PhraseNotFound)."""
        if isinstance(node, BoolOp):
            return self.unmatched_terms(node.left) + self.unmatched_terms(node.right)
        if isinstance(node, Term):
            with self._lock:
                return [] if self._eval(node) else [node]
        return []
