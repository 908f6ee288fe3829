"""The digest queue's tables: subscribers, digests and the articles each digest holds."""

from __future__ import annotations

from datetime import datetime

from sqlalchemy import JSON, Column, Index, Text, UniqueConstraint
from sqlmodel import Field, SQLModel

from litwatch.store.column_types import utc_column as _utc_column


class Subscriber(SQLModel, table=True):
    """Someone who receives digests."""

    __tablename__ = "subscriber"

    id: int | None = Field(default=None, primary_key=True)
    email: str = Field(index=True, unique=True, max_length=320)
    name: str = ""
    searches: list[str] = Field(default_factory=list, sa_column=Column(JSON))  # [] = all
    frequency: str = "daily"  # daily | weekly
    min_relevance: str = "core"  # core | related
    findings: list[str] = Field(default_factory=list, sa_column=Column(JSON))  # [] = all
    send_empty: bool = False
    active: bool = True
    created_at: datetime | None = _utc_column(nullable=False)
    last_digest_at: datetime | None = _utc_column()  # period end of the last digest made
    unsubscribed_at: datetime | None = _utc_column()


class Digest(SQLModel, table=True):
    """One digest for one subscriber: recorded with its articles before it is sent."""

    __tablename__ = "digest"
    __table_args__ = (Index("ix_digest_due", "status", "next_attempt_at"),)

    id: int | None = Field(default=None, primary_key=True)
    subscriber_id: int = Field(foreign_key="subscriber.id", index=True)
    status: str = "pending"  # pending | sending | sent | failed (permanent)
    period_start: datetime | None = _utc_column()
    period_end: datetime | None = _utc_column(nullable=False)
    created_at: datetime | None = _utc_column(nullable=False)
    attempts: int = 0
    next_attempt_at: datetime | None = _utc_column()
    claimed_by: str = ""
    claimed_at: datetime | None = _utc_column()
    sent_at: datetime | None = _utc_column()
    message_id: str = ""
    subject: str = ""
    # What is sent, rendered once when the digest is recorded; NULL on a digest recorded
    # before these were kept, which is rendered from its items when it is sent.
    body_text: str | None = Field(default=None, sa_column=Column(Text, nullable=True))
    body_html: str | None = Field(default=None, sa_column=Column(Text, nullable=True))
    unsubscribe_url: str | None = Field(default=None, sa_column=Column(Text, nullable=True))
    outbox_path: str = ""
    last_error: str = Field(default="", sa_column=Column(Text, nullable=False, default=""))


class DigestItem(SQLModel, table=True):
    """An article in a digest. The unique key keeps an article out of a second digest."""

    __tablename__ = "digest_item"
    __table_args__ = (
        UniqueConstraint("subscriber_id", "pmid", "kind", name="uq_digest_item_once"),
    )

    id: int | None = Field(default=None, primary_key=True)
    digest_id: int = Field(foreign_key="digest.id", index=True)
    subscriber_id: int = Field(foreign_key="subscriber.id", index=True)
    pmid: str = Field(foreign_key="article.pmid", max_length=20)
    # new | retraction | erratum (a notice about an article sent before, or shown in place)
    # | listed (left out of a first digest, linked to on the web; never sent later)
    kind: str = "new"
