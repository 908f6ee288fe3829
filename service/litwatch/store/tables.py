"""Database tables (SQLModel). The same models serve SQLite and PostgreSQL.

Times are stored as timezone-aware UTC. Lists and nested parts of a record are JSON.

Over 300 lines: it is the list of the core tables, one after another, each with the indexes
its queries need; the digest queue's and the collections' tables live apart.
"""

from __future__ import annotations

from datetime import date, datetime
from typing import Any

from sqlalchemy import JSON, Column, Index, Text, UniqueConstraint, text
from sqlmodel import Field, SQLModel

# The digest queue's and the collections' tables live in modules of their own; they are
# tables of the store all the same, so they are named here too (Alembic reads the metadata
# through this module).
from litwatch.store.collection_tables import Collection, CollectionArticle  # noqa: F401
from litwatch.store.column_types import utc_column as _utc_column
from litwatch.store.digest_tables import Digest, DigestItem, Subscriber  # noqa: F401


class Article(SQLModel, table=True):
    """One PubMed citation with its parsed fields; ``data`` is the full ArticleRecord."""

    __tablename__ = "article"
    # The dashboard's walk through what is new (migration 0012).
    __table_args__ = (
        Index("ix_article_dashboard", "first_seen", "id", "deleted", "retracted", "pmid"),
        # The retracted articles alone, for the dashboard's retractions (migration 0014).
        Index(
            "ix_article_retracted",
            "retracted",
            sqlite_where=text("retracted = 1"),  # as SQLite is asked
            postgresql_where=text("retracted"),
        ),
    )

    id: int | None = Field(default=None, primary_key=True)
    pmid: str = Field(index=True, unique=True, max_length=20)
    pmid_version: int = 1
    doi: str = Field(default="", index=True)
    pmcid: str = ""
    title: str = Field(default="", sa_column=Column(Text, nullable=False, default=""))
    abstract: str = Field(default="", sa_column=Column(Text, nullable=False, default=""))
    journal: str = ""
    pub_year: int | None = None
    pub_date: date | None = Field(default=None, index=True)
    entrez_date: date | None = None
    create_date: date | None = Field(default=None, index=True)
    publication_types: list[str] = Field(default_factory=list, sa_column=Column(JSON))
    data: dict[str, Any] = Field(default_factory=dict, sa_column=Column(JSON, nullable=False))
    content_hash: str = Field(max_length=64)
    retracted: bool = False
    deleted: bool = False
    first_seen: datetime | None = _utc_column(nullable=False)  # ix_article_dashboard leads with it
    # Indexed (migration 0013): its latest value is part of what an evidence table was read at.
    updated_at: datetime | None = _utc_column(nullable=False, index=True)
    fetched_at: datetime | None = _utc_column(nullable=False)


class SavedSearch(SQLModel, table=True):
    """A PubMed query polled on its own schedule."""

    __tablename__ = "saved_search"

    id: int | None = Field(default=None, primary_key=True)
    name: str = Field(index=True, unique=True, max_length=100)
    query: str = Field(sa_column=Column(Text, nullable=False))
    description: str = ""
    schedule: str | None = None  # None: the default schedule
    backfill_start: date | None = None
    watermark: date | None = None  # create dates up to this day are stored
    last_success_at: datetime | None = _utc_column()
    enabled: bool = True
    created_at: datetime | None = _utc_column(nullable=False)


class SearchQueryVersion(SQLModel, table=True):
    """Every query a saved search has had, so each poll run can say which one it ran."""

    __tablename__ = "search_query_version"

    id: int | None = Field(default=None, primary_key=True)
    # None once the search is removed: the runs that ran this query still say what it was.
    search_id: int | None = Field(default=None, foreign_key="saved_search.id", index=True)
    query: str = Field(sa_column=Column(Text, nullable=False))
    created_at: datetime | None = _utc_column(nullable=False)


class SearchHit(SQLModel, table=True):
    """Which search found which article, and when first."""

    __tablename__ = "search_hit"
    __table_args__ = (UniqueConstraint("search_id", "pmid", name="uq_search_hit"),)

    id: int | None = Field(default=None, primary_key=True)
    search_id: int = Field(foreign_key="saved_search.id", index=True)
    pmid: str = Field(foreign_key="article.pmid", index=True, max_length=20)
    first_seen: datetime | None = _utc_column(nullable=False, index=True)


class PollRun(SQLModel, table=True):
    """One poll of one saved search."""

    __tablename__ = "poll_run"

    id: int | None = Field(default=None, primary_key=True)
    # None once the search is removed; search_name keeps the run's history readable.
    search_id: int | None = Field(default=None, foreign_key="saved_search.id", index=True)
    search_name: str = Field(default="", max_length=100)
    query_version_id: int | None = Field(default=None, foreign_key="search_query_version.id")
    started_at: datetime | None = _utc_column(nullable=False, index=True)
    finished_at: datetime | None = _utc_column()
    status: str = "running"  # running | ok | failed | abandoned
    window_start: date | None = None
    window_end: date | None = None
    found: int = 0
    new: int = 0
    updated: int = 0
    failed: int = 0
    deleted: int = 0
    requests: int = 0
    retries: int = 0  # requests tried again after a passing fault (429, 5xx, cut answer)
    quarantined: int = 0  # records of this run that would not parse, kept in quarantine
    error: str = Field(default="", sa_column=Column(Text, nullable=False, default=""))


class QuarantinedRecord(SQLModel, table=True):
    """A record that came but could not be read; the next poll of its search fetches it again."""

    __tablename__ = "quarantined_record"

    id: int | None = Field(default=None, primary_key=True)
    pmid: str = Field(unique=True, index=True, max_length=20)
    search_id: int = Field(foreign_key="saved_search.id", index=True)
    poll_run_id: int | None = None  # the last run that failed to read it
    error: str = Field(default="", sa_column=Column(Text, nullable=False, default=""))
    attempts: int = 1
    first_failed_at: datetime | None = _utc_column(nullable=False)
    last_failed_at: datetime | None = _utc_column(nullable=False)


# Which classification flags set each flag column (migration 0012 fills them the same way).
FLAG_COLUMNS = {
    "multicentre_rct": ("multicentre-rct",),
    "retraction": ("retracted", "retraction-notice"),
    "notice": ("retracted", "retraction-notice", "erratum"),
}


class ClassificationRow(SQLModel, table=True):
    """The classifier's judgement of one article (full detail in ``data``)."""

    __tablename__ = "classification"
    __table_args__ = (
        Index(
            "ix_classification_dashboard",
            *("relevance", "design", "multicentre_rct", "retraction", "notice", "pmid"),
        ),
        # The dashboard's walks by relevance and priority, and by n (migration 0014).
        Index("ix_classification_rank", "relevance", "priority", "design", "pmid"),
        Index("ix_classification_n", "relevance", "n", "design", "pmid"),
    )

    id: int | None = Field(default=None, primary_key=True)
    pmid: str = Field(foreign_key="article.pmid", unique=True, index=True, max_length=20)
    relevance: str = Field(index=True, max_length=10)
    relevance_score: float = 0.0
    design: str = Field(default="other", max_length=30)
    priority: float = Field(default=0.0, index=True)
    explanation: str = Field(default="", sa_column=Column(Text, nullable=False, default=""))
    flags: list[str] = Field(default_factory=list, sa_column=Column(JSON))
    # Three of the flags as columns, for the dashboard's indexes (see FLAG_COLUMNS).
    multicentre_rct: bool = False
    retraction: bool = False  # retracted, or a retraction notice
    notice: bool = False  # retracted, a retraction notice or an erratum: not evidence
    data: dict[str, Any] = Field(default_factory=dict, sa_column=Column(JSON, nullable=False))
    n: int | None = None  # numbers.n of ``data`` when it is a whole number: the study's size
    kb_version: str = ""
    model: str = "rules"
    rules_version: str = Field(default="", max_length=64)  # "": made by rules before versions
    classified_at: datetime | None = _utc_column(nullable=False, index=True)  # as updated_at


class ArticleFinding(SQLModel, table=True):
    """One article's stance on one known finding: the rows of the living evidence table."""

    __tablename__ = "article_finding"
    __table_args__ = (
        UniqueConstraint("pmid", "finding_id", name="uq_article_finding"),
        Index("ix_article_finding_dashboard", "stance", "confidence", "pmid"),
    )

    id: int | None = Field(default=None, primary_key=True)
    pmid: str = Field(foreign_key="article.pmid", index=True, max_length=20)
    finding_id: str = Field(index=True, max_length=100)
    stance: str = Field(max_length=20)
    confidence: float = 0.0


class TrialKey(SQLModel, table=True):
    """A registry id or trial name an article names, to spot reports of the same trial."""

    __tablename__ = "trial_key"
    __table_args__ = (UniqueConstraint("key", "pmid", name="uq_trial_key"),)

    id: int | None = Field(default=None, primary_key=True)
    key: str = Field(index=True, max_length=100)
    pmid: str = Field(foreign_key="article.pmid", index=True, max_length=20)


class NoticeLink(SQLModel, table=True):
    """A retraction notice or erratum and the article it notices, from either record's
    CommentsCorrections; either end may not be stored (yet), so neither is a foreign key."""

    __tablename__ = "notice_link"
    __table_args__ = (UniqueConstraint("notice_pmid", "target_pmid", name="uq_notice_link"),)

    id: int | None = Field(default=None, primary_key=True)
    notice_pmid: str = Field(index=True, max_length=20)
    target_pmid: str = Field(index=True, max_length=20)
    kind: str = Field(max_length=20)  # retraction | erratum


class Feedback(SQLModel, table=True):
    """A person's label on an article: relevance, or a corrected stance on a finding."""

    __tablename__ = "feedback"

    id: int | None = Field(default=None, primary_key=True)
    pmid: str = Field(foreign_key="article.pmid", index=True, max_length=20)
    relevant: bool | None = None
    finding_id: str | None = None
    stance: str | None = None
    source: str = "cli"  # cli | email | web
    who: str = ""
    created_at: datetime | None = _utc_column(nullable=False)


class JobRun(SQLModel, table=True):
    """A run of a scheduled job other than a poll (digest runs), for `litwatch runs`."""

    __tablename__ = "job_run"

    id: int | None = Field(default=None, primary_key=True)
    job: str = Field(index=True, max_length=100)
    started_at: datetime | None = _utc_column(nullable=False, index=True)
    finished_at: datetime | None = _utc_column()
    status: str = "running"
    counts: dict[str, Any] = Field(default_factory=dict, sa_column=Column(JSON))
    error: str = Field(default="", sa_column=Column(Text, nullable=False, default=""))


class JobLock(SQLModel, table=True):
    """Who holds a job's lock: the lease itself on SQLite, a note beside the advisory lock on
    PostgreSQL (so a skipped run can say who holds it and since when)."""

    __tablename__ = "job_lock"

    name: str = Field(primary_key=True, max_length=200)
    holder: str = ""  # a token unique to one holding: host, pid and a random part
    host: str = Field(default="", max_length=255)
    pid: int = 0
    process_started_at: datetime | None = _utc_column()  # tells a reused PID from the holder
    acquired_at: datetime | None = _utc_column()
    expires_at: datetime | None = _utc_column(nullable=False)


class RateSlot(SQLModel, table=True):
    """One slot of a shared request-rate budget: free from ``free_at`` (the database's clock,
    seconds since the epoch); ``generation`` counts its takings, for compare-and-set."""

    __tablename__ = "rate_slot"

    budget: str = Field(primary_key=True, max_length=300)
    slot: int = Field(primary_key=True)
    free_at: float = 0.0
    generation: int = 0
    in_flight: bool = False


class KnowledgeBaseSnapshot(SQLModel, table=True):
    """Each knowledge base the store was classified with, so a change can be traced."""

    __tablename__ = "kb_snapshot"

    version: str = Field(primary_key=True, max_length=64)
    content: str = Field(sa_column=Column(Text, nullable=False))
    rules_version: str = Field(default="", max_length=64)  # the rules it was classified with
    created_at: datetime | None = _utc_column(nullable=False)


class LoginFailure(SQLModel, table=True):
    """Failed web logins from one client address: a growing wait before the next try, kept in
    the database so every instance sharing it sees the same count."""

    __tablename__ = "login_failure"

    client: str = Field(primary_key=True, max_length=100)
    failures: int = 0
    first_failed_at: datetime | None = _utc_column(nullable=False)
    last_failed_at: datetime | None = _utc_column(nullable=False)
    locked_until: datetime | None = _utc_column()
