"""Atom (RFC 4287): a saved search's on-topic articles as a feed, newest first.

Built with ElementTree, so every title and summary is escaped as XML text. Each entry links
to the article's page on the web app and sums up litwatch's judgement of it.
"""

from __future__ import annotations

import xml.etree.ElementTree as ET
from collections.abc import Sequence
from dataclasses import dataclass, field
from datetime import datetime

from litwatch.export.fields import one_line
from litwatch.export.rows import ExportRow
from litwatch.pubmed.markup import to_plain

ATOM = "http://www.w3.org/2005/Atom"
CONTENT_TYPE = "application/atom+xml; charset=utf-8"


@dataclass
class FeedEntry:
    """One article of a feed."""

    entry_id: str
    title: str
    link: str
    updated: datetime
    published: datetime
    summary: str
    authors: list[str] = field(default_factory=list)


def judgement_summary(row: ExportRow) -> str:
    """The judgement in a sentence or three: retracted, relevance and design, the explanation,
    each finding's stance (a stance that needs review says so, with its sentence)."""
    a, c = row.article, row.classification
    parts = ["RETRACTED."] if a.retracted else []
    if c is not None:
        parts.append(f"{c.relevance.capitalize()}; design: {c.design}.")
        if c.explanation:
            parts.append(c.explanation)
        for j in c.findings:
            if j.needs_review:
                sentence = j.evidence[0].sentence if j.evidence else ""
                parts.append(f"{j.finding_id}: needs review ({j.stance}?): “{sentence}”")
            else:
                parts.append(f"{j.finding_id}: {j.stance} ({j.confidence:.2f}).")
    journal = to_plain(a.journal_iso or a.journal_title)
    if journal or a.pub_year:
        parts.append(f"{journal} {a.pub_year or ''}".strip() + ".")
    return one_line(" ".join(parts))


def _text(parent: ET.Element, tag: str, text: str, **attrs: str) -> ET.Element:
    el = ET.SubElement(parent, f"{{{ATOM}}}{tag}", attrs)
    el.text = text
    return el


def _link(parent: ET.Element, href: str, rel: str, kind: str = "") -> None:
    attrs = {"href": href, "rel": rel} | ({"type": kind} if kind else {})
    ET.SubElement(parent, f"{{{ATOM}}}link", attrs)


def atom_feed(
    *,
    feed_id: str,
    title: str,
    self_url: str,
    page_url: str,
    updated: datetime,
    entries: Sequence[FeedEntry],
) -> bytes:
    """The feed document, UTF-8 with its XML declaration."""
    ET.register_namespace("", ATOM)
    feed = ET.Element(f"{{{ATOM}}}feed")
    _text(feed, "id", feed_id)
    _text(feed, "title", title)
    _text(feed, "updated", updated.isoformat())
    _link(feed, self_url, "self", "application/atom+xml")
    _link(feed, page_url, "alternate", "text/html")
    author = ET.SubElement(feed, f"{{{ATOM}}}author")
    _text(author, "name", "litwatch")
    _text(feed, "generator", "litwatch")
    for entry in entries:
        item = ET.SubElement(feed, f"{{{ATOM}}}entry")
        _text(item, "id", entry.entry_id)
        _text(item, "title", entry.title, type="text")
        _link(item, entry.link, "alternate", "text/html")
        _text(item, "updated", entry.updated.isoformat())
        _text(item, "published", entry.published.isoformat())
        for name in entry.authors:
            person = ET.SubElement(item, f"{{{ATOM}}}author")
            _text(person, "name", name)
        _text(item, "summary", entry.summary, type="text")
    body: bytes = ET.tostring(feed, encoding="utf-8", xml_declaration=True)
    return body
