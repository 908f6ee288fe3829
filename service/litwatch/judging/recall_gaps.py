"""The words a saved query would need to find an article it missed.

An article the broader query found, the classifier judged core, and the saved query did not
find names the drug in words the saved query lacks: a brand or biosimilar name it does not
list, the mechanism written another way ("CD20-targeted"). The candidates are the drug terms
of the knowledge base that the classifier itself found in the title or abstract; one is a gap
when no title/abstract term of the saved query occurs within it word for word (a query term
"anti-CD20" already finds "anti-CD20 antibody"). Each gap is written as the addition to make,
``"term"[tiab]``, spelt as the article spells it. Pure functions over plain data.
"""

from __future__ import annotations

from litwatch.eutils.query_blocks import QueryTerm, query_terms, words_of
from litwatch.judging.knowledge import KnowledgeBase
from litwatch.judging.rules.compiled import compiled
from litwatch.judging.rules.sentences import lowered, plain
from litwatch.records import ArticleRecord

__all__ = ["drug_words", "missing_terms", "suggestion"]

DRUG = "I"  # the matcher's category of the knowledge base's intervention terms


def drug_words(article: ArticleRecord, kb: KnowledgeBase) -> list[str]:
    """The drug terms in the article's title and abstract, as written, first seen first."""
    matcher = compiled(kb).matcher
    seen: dict[tuple[str, ...], str] = {}
    for text in (article.title, *(s.text for s in article.abstract_sections)):
        words = plain(text)
        for m in matcher.scan(lowered(words)):  # same length: the spans fit both
            if DRUG in m.categories:
                written = words[m.start : m.end]
                seen.setdefault(words_of(written), written)
    return list(seen.values())


def _covered(words: tuple[str, ...], terms: list[QueryTerm]) -> bool:
    """Whether a title/abstract term of the query occurs in ``words`` (a truncated term
    ``rituxim*`` as the start of a word)."""
    for term in terms:
        if not term.searches_text:
            continue
        tw = term.words
        if not tw:
            continue
        if term.text.endswith("*"):
            head, last = tw[:-1], tw[-1]
            n = len(tw)
            for i in range(len(words) - n + 1):
                if words[i : i + n - 1] == head and words[i + n - 1].startswith(last):
                    return True
        elif any(words[i : i + len(tw)] == tw for i in range(len(words) - len(tw) + 1)):
            return True
    return False


def suggestion(term: str) -> str:
    """A term as the addition to a PubMed query: quoted, searched in title and abstract."""
    return '"' + term.replace('"', "") + '"[tiab]'


def missing_terms(article: ArticleRecord, query: str, kb: KnowledgeBase) -> list[str]:
    """The drug terms of the article that the saved query lacks, as ``"term"[tiab]``."""
    terms = query_terms(query)
    return [suggestion(w) for w in drug_words(article, kb) if not _covered(words_of(w), terms)]
