"""Does a parsed PubMed query match a record? Field by field, the way PubMed reads each tag.

Text fields are normalized (``query.normalize``), so word and phrase matching is a substring
test on space-padded text: fast enough to scan tens of thousands of records per term.
"""

from __future__ import annotations

from dataclasses import dataclass, field
from datetime import date

from litwatch.fake_eutils.query import DateRange, Node, QuerySyntax, Term

__all__ = ["MESH_CHILDREN", "Searchable", "match_date", "match_term", "matches"]

# A very small part of the MeSH tree, so that [mh] explodes to narrower headings the way
# PubMed does for the headings the demo corpus uses.
MESH_CHILDREN: dict[str, tuple[str, ...]] = {
    "scleroderma systemic": ("scleroderma diffuse", "crest syndrome", "scleroderma limited"),
    "lung diseases interstitial": ("idiopathic pulmonary fibrosis", "pulmonary fibrosis"),
    "antibodies monoclonal": ("rituximab", "antibodies monoclonal humanized"),
    "lymphoma": ("lymphoma non hodgkin", "lymphoma b cell", "lymphoma follicular"),
}

_LANGUAGES = {
    "english": "eng",
    "french": "fre",
    "german": "ger",
    "spanish": "spa",
    "italian": "ita",
    "japanese": "jpn",
    "chinese": "chi",
    "portuguese": "por",
    "russian": "rus",
}


@dataclass(slots=True)
class Searchable:
    """The normalized fields of one record that a query can look at."""

    title: str = ""
    abstract: str = ""
    keywords: list[str] = field(default_factory=list)
    mesh: list[str] = field(default_factory=list)
    mesh_major: list[str] = field(default_factory=list)
    pub_types: list[str] = field(default_factory=list)
    languages: list[str] = field(default_factory=list)
    authors: list[str] = field(default_factory=list)
    journals: list[str] = field(default_factory=list)
    secondary_ids: list[str] = field(default_factory=list)
    pmid: str = ""
    dates: dict[str, date | None] = field(default_factory=dict)


# --- matching --------------------------------------------------------------------------------


def _in_text(key: str, text: str, wildcard: bool) -> bool:
    # Texts and keys are normalized (single spaces), so padding with spaces gives word bounds.
    if wildcard:
        return f" {key}" in f" {text}"
    return f" {key} " in f" {text} "


def _in_list(key: str, values: list[str], wildcard: bool) -> bool:
    if wildcard:
        return any(v.startswith(key) for v in values)
    return key in values


def _mesh_keys(key: str, explode: bool) -> set[str]:
    keys = {key}
    if explode:
        todo = [key]
        while todo:
            for child in MESH_CHILDREN.get(todo.pop(), ()):
                if child not in keys:
                    keys.add(child)
                    todo.append(child)
    return keys


def match_term(term: Term, doc: Searchable) -> bool:
    """Does ``term`` occur in ``doc``? ``doc``'s fields are already normalized."""
    key, wild, f = term.key, term.wildcard, term.field
    if f in ("ti", "ab", "tiab", "tw", "all"):
        texts: list[str] = []
        if f in ("ti", "tiab", "tw", "all"):
            texts.append(doc.title)
        if f in ("ab", "tiab", "tw", "all"):
            texts.append(doc.abstract)
        if f in ("tiab", "tw", "all"):
            texts.extend(doc.keywords)
        if f in ("tw", "all"):
            texts.extend(doc.mesh)
            texts.extend(doc.pub_types)
        if f == "all":
            texts.extend(doc.authors)
            texts.extend(doc.secondary_ids)
        return any(_in_text(key, t, wild) for t in texts)
    if f in ("mh", "mh:noexp", "majr"):
        values = doc.mesh_major if f == "majr" else doc.mesh
        return any(_in_list(k, values, wild) for k in _mesh_keys(key, f != "mh:noexp"))
    if f == "pt":
        return _in_list(key, doc.pub_types, wild)
    if f == "la":
        return _in_list(_LANGUAGES.get(key, key), doc.languages, wild)
    if f == "au":
        return any(a == key or a.startswith(key + " ") for a in doc.authors)
    if f == "ta":
        return _in_list(key, doc.journals, wild)
    if f == "si":
        return any(_in_text(key, s, wild) for s in doc.secondary_ids)
    if f == "uid":
        return key == doc.pmid
    raise QuerySyntax(f"field {f} cannot hold a term")


def match_date(node: DateRange, doc: Searchable) -> bool:
    day = doc.dates.get(node.field)
    return day is not None and node.start <= day <= node.end


def matches(node: Node, doc: Searchable) -> bool:
    """Does the record ``doc`` satisfy the query tree ``node``?"""
    if isinstance(node, Term):
        return match_term(node, doc)
    if isinstance(node, DateRange):
        return match_date(node, doc)
    left = matches(node.left, doc)
    if node.op == "AND":
        return left and matches(node.right, doc)
    if node.op == "OR":
        return left or matches(node.right, doc)
    return left and not matches(node.right, doc)
