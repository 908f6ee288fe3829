"""Local full-text search: ranked hits with the matched words marked.

SQLite answers from the FTS5 table ``article_fts`` (ranked by bm25), PostgreSQL from the
generated ``article.search_vector`` (ranked by ts_rank); migration 0010 builds both. A
query is reduced to its words before either database sees it, and each word is quoted, so
nothing a person types (``"``, ``*``, ``AND``, ``-``, ``:``) is read as query syntax: every
word must occur, in any order, stemmed the English way.

The databases mark matched words with two control characters that XML 1.0 (and so PubMed
text) can never hold; ``marked`` turns them into (text, matched) pieces, so a page can put
each matched piece in ``<mark>`` and escape everything, and the CLI can print them in bold.
"""

from __future__ import annotations

import html
import re
from collections.abc import Sequence
from dataclasses import dataclass
from datetime import date
from typing import Any

from sqlalchemy import Integer, bindparam, column, text
from sqlalchemy.sql.elements import ColumnElement
from sqlmodel import Session

from litwatch.errors import SearchQueryError
from litwatch.pubmed.markup import INLINE_TAGS

MAX_WORDS = 32
START, STOP = "\x02", "\x03"
SNIPPET_WORDS = 32  # words of abstract around the matches
# A query matching more articles than this is ranked among the newest this many of them:
# scoring every match of a word found in most of the store would cost a scan of all of it.
CANDIDATES = 5_000
_WORD = re.compile(r"\w+")
_MARKED = re.compile(f"{START}(.*?){STOP}", re.DOTALL)
# PubMed's inline tags (as litwatch.pubmed.markup keeps them); any other "<" is text.
_TAG = re.compile(rf"</?(?:{'|'.join(INLINE_TAGS)})(?:\s[^<>]*)?/?>", re.IGNORECASE)
_SPACE = re.compile(r"\s+")
# bm25 weights of title, abstract and journal: a word in the title counts most.
_BM25 = "bm25(article_fts, 5.0, 1.0, 0.5)"


@dataclass(frozen=True)
class Marked:
    """Text as (piece, matched) pairs in order; the pieces joined are the plain text."""

    pieces: tuple[tuple[str, bool], ...]

    @property
    def plain(self) -> str:
        return "".join(piece for piece, _ in self.pieces)

    @property
    def matched(self) -> list[str]:
        """The distinct words that matched, in lower case, in order of first appearance."""
        return list(dict.fromkeys(piece.lower() for piece, hit in self.pieces if hit))


@dataclass(frozen=True)
class SearchHit:
    """One ranked hit: a higher ``score`` is a better match (within one database)."""

    pmid: str
    score: float
    title: Marked
    snippet: Marked

    @property
    def matched(self) -> list[str]:
        return list(dict.fromkeys([*self.title.matched, *self.snippet.matched]))

    def as_dict(self) -> dict[str, Any]:
        """Score, matched words, and snippet as text and as [text, matched] pairs (for JSON)."""
        return {
            "score": round(self.score, 6),
            "matched": self.matched,
            "snippet": self.snippet.plain,
            "title_marked": [list(p) for p in self.title.pieces],
            "snippet_marked": [list(p) for p in self.snippet.pieces],
        }


def query_words(query: str) -> list[str]:
    """The words of ``query``; SearchQueryError when there is none, or more than MAX_WORDS."""
    words = _WORD.findall(query)
    if not words:
        raise SearchQueryError(
            f"the search {query.strip()!r} has no word to look for; type at least one word"
            if query.strip()
            else "the search is empty; type at least one word"
        )
    if len(words) > MAX_WORDS:
        raise SearchQueryError(f"the search has {len(words)} words; use at most {MAX_WORDS}")
    return words


def marked(raw: str | None) -> Marked:
    """Split database output with START/STOP markers into pieces of plain text.

    The stored text is PubMed's safe markup: its inline tags are dropped and entities read
    piece by piece (a tag never holds a matched word); runs of space become one space.
    """
    source = raw or ""
    pieces: list[tuple[str, bool]] = []
    last = 0
    for m in _MARKED.finditer(source):
        pieces.append((_plain_piece(source[last : m.start()]), False))
        pieces.append((_plain_piece(m.group(1)), True))
        last = m.end()
    pieces.append((_plain_piece(source[last:]), False))
    if pieces:
        pieces[0] = (pieces[0][0].lstrip(), pieces[0][1])
        pieces[-1] = (pieces[-1][0].rstrip(), pieces[-1][1])
    return Marked(tuple((p, hit) for p, hit in pieces if p))


def _plain_piece(piece: str) -> str:
    piece = piece.replace(START, "").replace(STOP, "")  # a marker left unpaired
    if "<" in piece or "&" in piece:
        piece = html.unescape(_TAG.sub("", piece))
    return _SPACE.sub(" ", piece)


# Ranked first, then highlighted: highlight() and snippet() are costly, and in the ranking
# query they would run for every match before the best page is kept. The ``since`` filter is
# written ``+rowid IN``: a bare ``rowid IN`` would be handed to FTS5 as one lookup per id.
# Ranking is bounded: ``lo`` is the id of the CANDIDATES-th match counted from the newest,
# and only matches from it on are scored (FTS5 walks a rowid range without reading the rest),
# so a word in every article costs as much as one in CANDIDATES of them. With fewer matches
# than that, ``lo`` is the first match and every match is ranked.
# ``lo`` is read first, on its own: as a CTE joined in, SQLite scored every match again.
_SQLITE_LO = """
SELECT coalesce(min(id), 0) FROM (
    SELECT rowid AS id FROM article_fts WHERE article_fts MATCH :match {since}
    ORDER BY rowid DESC LIMIT :candidates
)
"""
_SQLITE = f"""
WITH top AS (
    SELECT rowid AS id, {_BM25} AS bm25
    FROM article_fts WHERE article_fts MATCH :match AND rowid >= :lo {{since}}
    ORDER BY bm25, rowid
    LIMIT :limit OFFSET :offset
)
SELECT a.pmid, -top.bm25 AS score,
       highlight(article_fts, 0, :start, :stop) AS title,
       snippet(article_fts, 1, :start, :stop, '…', :words) AS snippet
FROM article_fts, top, article a
WHERE article_fts MATCH :match AND article_fts.rowid IN (SELECT id FROM top)
  AND top.id = article_fts.rowid AND a.id = top.id
ORDER BY top.bm25, top.id
"""

# ts_headline is costly, so it runs on the page of hits only, after ranking; ranking is
# bounded to the newest CANDIDATES matches, as on SQLite.
_POSTGRES = """
WITH q AS (SELECT plainto_tsquery('english', :match) AS q),
lo AS (
    SELECT coalesce(min(id), 0) AS lo FROM (
        SELECT a.id FROM article a, q
        WHERE a.search_vector @@ q.q AND NOT a.deleted {since}
        ORDER BY a.id DESC LIMIT :candidates
    ) newest
),
hits AS (
    SELECT a.pmid, a.title, a.abstract, ts_rank(a.search_vector, q.q) AS score
    FROM article a, q, lo
    WHERE a.search_vector @@ q.q AND NOT a.deleted AND a.id >= lo.lo {since}
    ORDER BY score DESC, a.pmid
    LIMIT :limit OFFSET :offset
)
SELECT hits.pmid, hits.score,
       ts_headline('english', hits.title, q.q, :title_options) AS title,
       ts_headline('english', hits.abstract, q.q, :snippet_options) AS snippet
FROM hits, q
ORDER BY hits.score DESC, hits.pmid
"""


def search_articles(
    session: Session,
    query: str,
    limit: int = 20,
    offset: int = 0,
    *,
    since: date | None = None,
    candidates: int = CANDIDATES,
) -> list[SearchHit]:
    """Stored articles (not deleted) holding every word of ``query``, best match first
    (among the newest ``candidates`` matches, when there are more).

    ``since`` keeps articles created on or after that day. SearchQueryError when ``query``
    holds no word.
    """
    words = query_words(query)
    params: dict[str, Any] = {"limit": limit, "offset": offset, "since": since}
    params["candidates"] = max(candidates, offset + limit)
    postgres = session.get_bind().dialect.name == "postgresql"
    since_sql = ""
    if since is not None and postgres:
        since_sql = "AND a.create_date >= :since"
    elif since is not None:
        since_sql = "AND +rowid IN (SELECT id FROM article WHERE create_date >= :since)"
        params["since"] = since.isoformat()  # as SQLAlchemy stores a Date in SQLite
    if postgres:
        sql = _POSTGRES.format(since=since_sql)
        params["match"] = " ".join(words)
        marks = f'StartSel="{START}", StopSel="{STOP}"'
        params["title_options"] = f"{marks}, HighlightAll=true"
        params["snippet_options"] = (
            f"{marks}, MaxWords={SNIPPET_WORDS}, MinWords=12, MaxFragments=2, "
            'FragmentDelimiter=" … "'
        )
    else:
        sql = _SQLITE.format(since=since_sql)
        params["match"] = " ".join(f'"{w}"' for w in words)
        lo_sql = text(_SQLITE_LO.format(since=since_sql))
        params["lo"] = session.execute(lo_sql, params).scalar_one()
        params.update(start=START, stop=STOP, words=SNIPPET_WORDS)
    rows = session.execute(text(sql), params).all()
    return [SearchHit(r.pmid, float(r.score), marked(r.title), marked(r.snippet)) for r in rows]


def matching_ids(session: Session, query: str, id_column: Any) -> ColumnElement[bool]:
    """A WHERE clause keeping the articles whose ``id_column`` holds every word of ``query``
    (the same match as ``search_articles``, unranked), for other queries to filter with.

    SearchQueryError when ``query`` holds no word.
    """
    words = query_words(query)
    if session.get_bind().dialect.name == "postgresql":
        clause = text("article.search_vector @@ plainto_tsquery('english', :fts_words)")
        return clause.bindparams(bindparam("fts_words", " ".join(words)))  # type: ignore[return-value]
    match = " ".join(f'"{w}"' for w in words)
    ids = (
        text("SELECT rowid FROM article_fts WHERE article_fts MATCH :fts_match")
        .bindparams(bindparam("fts_match", match))
        .columns(column("rowid", Integer))
    )
    return id_column.in_(ids.scalar_subquery())  # type: ignore[no-any-return]


# A bare ``rowid IN``: FTS5 then looks up each of the few ids (a page of them) rather than
# walking every match of a common word.
_SQLITE_MARK = """
SELECT a.pmid, 0.0 AS score,
       highlight(article_fts, 0, :start, :stop) AS title,
       snippet(article_fts, 1, :start, :stop, '…', :words) AS snippet
FROM article_fts JOIN article a ON a.id = article_fts.rowid
WHERE article_fts MATCH :match
  AND article_fts.rowid IN (SELECT id FROM article WHERE pmid IN :pmids)
"""
_POSTGRES_MARK = """
WITH q AS (SELECT plainto_tsquery('english', :match) AS q)
SELECT a.pmid, 0.0 AS score,
       ts_headline('english', a.title, q.q, :title_options) AS title,
       ts_headline('english', a.abstract, q.q, :snippet_options) AS snippet
FROM article a, q
WHERE a.search_vector @@ q.q AND a.pmid IN :pmids
"""


def marked_hits(session: Session, query: str, pmids: Sequence[str]) -> dict[str, SearchHit]:
    """PMID -> the title and snippet of each of ``pmids`` with the words of ``query`` marked,
    for a list found some other way (the dashboard's); an article the words do not match is
    left out. Scores are 0: nothing is ranked here."""
    if not pmids:
        return {}
    words = query_words(query)
    postgres = session.get_bind().dialect.name == "postgresql"
    params: dict[str, Any] = {"pmids": list(pmids)}
    if postgres:
        params["match"] = " ".join(words)
        marks = f'StartSel="{START}", StopSel="{STOP}"'
        params["title_options"] = f"{marks}, HighlightAll=true"
        params["snippet_options"] = (
            f"{marks}, MaxWords={SNIPPET_WORDS}, MinWords=12, MaxFragments=2, "
            'FragmentDelimiter=" … "'
        )
    else:
        params["match"] = " ".join(f'"{w}"' for w in words)
        params.update(start=START, stop=STOP, words=SNIPPET_WORDS)
    sql = text(_POSTGRES_MARK if postgres else _SQLITE_MARK).bindparams(
        bindparam("pmids", expanding=True)
    )
    rows = session.execute(sql, params).all()
    return {r.pmid: SearchHit(r.pmid, 0.0, marked(r.title), marked(r.snippet)) for r in rows}
