"""Saved collections: articles imported from a file (.nbib or a PMID list), kept by name."""

from __future__ import annotations

from datetime import datetime

from sqlalchemy import UniqueConstraint
from sqlmodel import Field, SQLModel

from litwatch.store.column_types import utc_column as _utc_column


class Collection(SQLModel, table=True):
    """A named set of articles a person brought in, judged like polled ones."""

    __tablename__ = "collection"

    id: int | None = Field(default=None, primary_key=True)
    name: str = Field(index=True, unique=True, max_length=100)
    created_at: datetime | None = _utc_column(nullable=False)


class CollectionArticle(SQLModel, table=True):
    """An article of a collection, and when it was added to it."""

    __tablename__ = "collection_article"
    __table_args__ = (UniqueConstraint("collection_id", "pmid", name="uq_collection_article"),)

    id: int | None = Field(default=None, primary_key=True)
    collection_id: int = Field(foreign_key="collection.id", index=True)
    pmid: str = Field(foreign_key="article.pmid", index=True, max_length=20)
    added_at: datetime | None = _utc_column(nullable=False)
