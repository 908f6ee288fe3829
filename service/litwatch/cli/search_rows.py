"""The rows `litwatch search` prints: each article with its judgement, and for a local
(full-text) search its score, the matched words and a snippet, the words in bold in a table."""

from __future__ import annotations

from datetime import date

from rich.text import Text
from sqlmodel import Session

from litwatch.cli.output import ELLIPSIS, shorten
from litwatch.pubmed.markup import to_plain
from litwatch.store.articles import get_article
from litwatch.store.fulltext import Marked, SearchHit, search_articles


def article_rows(session: Session, rows: list, *, rank: bool = True) -> list[dict]:  # type: ignore[type-arg]
    """One dict per article with its judgement; ``rank``: core first, then by priority."""
    from litwatch.store.classifications import get_classification

    out = []
    for row in rows:
        c = get_classification(session, row.pmid)
        out.append(
            {
                "pmid": row.pmid,
                "date": row.create_date or row.pub_date,
                "title": to_plain(row.title),
                "journal": row.journal,
                "relevance": c.relevance if c else "",
                "design": c.design if c else "",
                "priority": round(c.priority, 3) if c else 0.0,
                "findings": {j.finding_id: j.stance for j in c.findings} if c else {},
                "explanation": c.explanation if c else "",
                "retracted": row.retracted,
                "url": f"https://pubmed.ncbi.nlm.nih.gov/{row.pmid}/",
            }
        )
    if rank:
        order = {"core": 0, "related": 1, "off": 2, "": 3}
        out.sort(key=lambda r: (order[r["relevance"]], -r["priority"]))
    return out


def local_rows(
    session: Session, query: str, since: date | None, limit: int
) -> tuple[list[dict], dict[str, SearchHit]]:  # type: ignore[type-arg]
    """Full-text hits, best match first, each with its score, matched words and snippet."""
    hits = {h.pmid: h for h in search_articles(session, query, limit, since=since)}
    found = [get_article(session, p) for p in hits]
    rows = article_rows(session, [a for a in found if a is not None], rank=False)
    for row in rows:
        hit = hits[row["pmid"]]
        row.update(score=round(hit.score, 6), matched=" ".join(hit.matched))
        row["snippet"] = hit.snippet.plain
    return rows, hits


def bold_matches(marked: Marked) -> Text:
    """Marked text for the table: matched words in bold (plain where there is no terminal)."""
    out = Text()
    for piece, hit in marked.pieces:
        out.append(piece, style="bold" if hit else None)
    return out


SEARCH_CSV_FIELDS = (
    "pmid",
    "date",
    "relevance",
    "design",
    "priority",
    "retracted",
    "title",
    "journal",
    "findings",
    "explanation",
    "url",
)
LOCAL_CSV_FIELDS = (*SEARCH_CSV_FIELDS[:-1], "score", "matched", "snippet", "url")


def title_cell(row: dict, hit: SearchHit | None) -> Text | str:  # type: ignore[type-arg]
    """The title, cut at a word to 90 characters; a local hit's matched words in bold."""
    flag = "[RETRACTED] " if row["retracted"] else ""
    if hit is None:
        return shorten(flag + row["title"], 90)
    cell = Text(flag)
    cell.append_text(bold_matches(hit.title))
    short = shorten(cell.plain, 90)
    if short == cell.plain:
        return cell
    cut = cell[: len(short) - len(ELLIPSIS)]  # shorten cuts a prefix, then adds the ellipsis
    cut.append(ELLIPSIS)
    return cut


def snippet_cell(hit: SearchHit | None) -> Text:
    """The abstract around the matches, the matched words in bold."""
    return bold_matches(hit.snippet) if hit else Text("")
