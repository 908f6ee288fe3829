"""Small builders shared by the classifier tests."""

from __future__ import annotations

from functools import cache

from litwatch.judging.knowledge import KnowledgeBase
from litwatch.judging.knowledge_file import load_knowledge_base
from litwatch.judging.rules import classify_article
from litwatch.pubmed.markup import escape_text
from litwatch.records import AbstractSection, ArticleRecord, Classification, MeshHeading


@cache
def kb() -> KnowledgeBase:
    return load_knowledge_base()


def article(
    title: str,
    abstract: str = "",
    *,
    pmid: str = "1",
    types: tuple[str, ...] = ("Journal Article",),
    mesh: tuple[str, ...] = (),
) -> ArticleRecord:
    return ArticleRecord(
        pmid=pmid,
        title=escape_text(title),
        abstract_sections=[AbstractSection("", "", escape_text(abstract))] if abstract else [],
        publication_types=list(types),
        mesh=[MeshHeading(descriptor=m) for m in mesh],
    )


def classify(title: str, abstract: str = "", **kwargs: object) -> Classification:
    return classify_article(article(title, abstract, **kwargs), kb())  # type: ignore[arg-type]


def stances(c: Classification) -> dict[str, str]:
    return {j.finding_id: j.stance for j in c.findings}
