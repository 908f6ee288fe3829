"""initial schema

Revision ID: 0001
Revises:
Create Date: 2026-11-25
"""

from collections.abc import Sequence

import sqlalchemy as sa
import sqlmodel
from alembic import op

import litwatch.store.column_types

revision: str = "0001"
down_revision: str | None = None
branch_labels: str | Sequence[str] | None = None
depends_on: str | Sequence[str] | None = None


def upgrade() -> None:
    op.create_table(
        "article",
        sa.Column("id", sa.Integer(), nullable=False),
        sa.Column("pmid", sqlmodel.sql.sqltypes.AutoString(length=20), nullable=False),
        sa.Column("pmid_version", sa.Integer(), nullable=False),
        sa.Column("doi", sqlmodel.sql.sqltypes.AutoString(), nullable=False),
        sa.Column("pmcid", sqlmodel.sql.sqltypes.AutoString(), nullable=False),
        sa.Column("title", sa.Text(), nullable=False),
        sa.Column("abstract", sa.Text(), nullable=False),
        sa.Column("journal", sqlmodel.sql.sqltypes.AutoString(), nullable=False),
        sa.Column("pub_year", sa.Integer(), nullable=True),
        sa.Column("pub_date", sa.Date(), nullable=True),
        sa.Column("entrez_date", sa.Date(), nullable=True),
        sa.Column("create_date", sa.Date(), nullable=True),
        sa.Column("publication_types", sa.JSON(), nullable=True),
        sa.Column("data", sa.JSON(), nullable=False),
        sa.Column("content_hash", sqlmodel.sql.sqltypes.AutoString(length=64), nullable=False),
        sa.Column("retracted", sa.Boolean(), nullable=False),
        sa.Column("deleted", sa.Boolean(), nullable=False),
        sa.Column(
            "first_seen", litwatch.store.column_types.UTCDateTime(timezone=True), nullable=False
        ),
        sa.Column(
            "updated_at", litwatch.store.column_types.UTCDateTime(timezone=True), nullable=False
        ),
        sa.Column(
            "fetched_at", litwatch.store.column_types.UTCDateTime(timezone=True), nullable=False
        ),
        sa.PrimaryKeyConstraint("id"),
    )
    with op.batch_alter_table("article", schema=None) as batch_op:
        batch_op.create_index(batch_op.f("ix_article_create_date"), ["create_date"], unique=False)
        batch_op.create_index(batch_op.f("ix_article_doi"), ["doi"], unique=False)
        batch_op.create_index(batch_op.f("ix_article_first_seen"), ["first_seen"], unique=False)
        batch_op.create_index(batch_op.f("ix_article_pmid"), ["pmid"], unique=True)
        batch_op.create_index(batch_op.f("ix_article_pub_date"), ["pub_date"], unique=False)

    op.create_table(
        "job_lock",
        sa.Column("name", sqlmodel.sql.sqltypes.AutoString(length=200), nullable=False),
        sa.Column("holder", sqlmodel.sql.sqltypes.AutoString(), nullable=False),
        sa.Column(
            "expires_at", litwatch.store.column_types.UTCDateTime(timezone=True), nullable=False
        ),
        sa.PrimaryKeyConstraint("name"),
    )
    op.create_table(
        "job_run",
        sa.Column("id", sa.Integer(), nullable=False),
        sa.Column("job", sqlmodel.sql.sqltypes.AutoString(length=100), nullable=False),
        sa.Column(
            "started_at", litwatch.store.column_types.UTCDateTime(timezone=True), nullable=False
        ),
        sa.Column(
            "finished_at", litwatch.store.column_types.UTCDateTime(timezone=True), nullable=True
        ),
        sa.Column("status", sqlmodel.sql.sqltypes.AutoString(), nullable=False),
        sa.Column("counts", sa.JSON(), nullable=True),
        sa.Column("error", sa.Text(), nullable=False),
        sa.PrimaryKeyConstraint("id"),
    )
    with op.batch_alter_table("job_run", schema=None) as batch_op:
        batch_op.create_index(batch_op.f("ix_job_run_job"), ["job"], unique=False)
        batch_op.create_index(batch_op.f("ix_job_run_started_at"), ["started_at"], unique=False)

    op.create_table(
        "saved_search",
        sa.Column("id", sa.Integer(), nullable=False),
        sa.Column("name", sqlmodel.sql.sqltypes.AutoString(length=100), nullable=False),
        sa.Column("query", sa.Text(), nullable=False),
        sa.Column("description", sqlmodel.sql.sqltypes.AutoString(), nullable=False),
        sa.Column("schedule", sqlmodel.sql.sqltypes.AutoString(), nullable=True),
        sa.Column("backfill_start", sa.Date(), nullable=True),
        sa.Column("watermark", sa.Date(), nullable=True),
        sa.Column(
            "last_success_at", litwatch.store.column_types.UTCDateTime(timezone=True), nullable=True
        ),
        sa.Column("enabled", sa.Boolean(), nullable=False),
        sa.Column(
            "created_at", litwatch.store.column_types.UTCDateTime(timezone=True), nullable=False
        ),
        sa.PrimaryKeyConstraint("id"),
    )
    with op.batch_alter_table("saved_search", schema=None) as batch_op:
        batch_op.create_index(batch_op.f("ix_saved_search_name"), ["name"], unique=True)

    op.create_table(
        "subscriber",
        sa.Column("id", sa.Integer(), nullable=False),
        sa.Column("email", sqlmodel.sql.sqltypes.AutoString(length=320), nullable=False),
        sa.Column("name", sqlmodel.sql.sqltypes.AutoString(), nullable=False),
        sa.Column("searches", sa.JSON(), nullable=True),
        sa.Column("frequency", sqlmodel.sql.sqltypes.AutoString(), nullable=False),
        sa.Column("min_relevance", sqlmodel.sql.sqltypes.AutoString(), nullable=False),
        sa.Column("findings", sa.JSON(), nullable=True),
        sa.Column("send_empty", sa.Boolean(), nullable=False),
        sa.Column("active", sa.Boolean(), nullable=False),
        sa.Column(
            "created_at", litwatch.store.column_types.UTCDateTime(timezone=True), nullable=False
        ),
        sa.Column(
            "last_digest_at", litwatch.store.column_types.UTCDateTime(timezone=True), nullable=True
        ),
        sa.Column(
            "unsubscribed_at", litwatch.store.column_types.UTCDateTime(timezone=True), nullable=True
        ),
        sa.PrimaryKeyConstraint("id"),
    )
    with op.batch_alter_table("subscriber", schema=None) as batch_op:
        batch_op.create_index(batch_op.f("ix_subscriber_email"), ["email"], unique=True)

    op.create_table(
        "article_finding",
        sa.Column("id", sa.Integer(), nullable=False),
        sa.Column("pmid", sqlmodel.sql.sqltypes.AutoString(length=20), nullable=False),
        sa.Column("finding_id", sqlmodel.sql.sqltypes.AutoString(length=100), nullable=False),
        sa.Column("stance", sqlmodel.sql.sqltypes.AutoString(length=20), nullable=False),
        sa.Column("confidence", sa.Float(), nullable=False),
        sa.ForeignKeyConstraint(
            ["pmid"],
            ["article.pmid"],
        ),
        sa.PrimaryKeyConstraint("id"),
        sa.UniqueConstraint("pmid", "finding_id", name="uq_article_finding"),
    )
    with op.batch_alter_table("article_finding", schema=None) as batch_op:
        batch_op.create_index(
            batch_op.f("ix_article_finding_finding_id"), ["finding_id"], unique=False
        )
        batch_op.create_index(batch_op.f("ix_article_finding_pmid"), ["pmid"], unique=False)

    op.create_table(
        "classification",
        sa.Column("id", sa.Integer(), nullable=False),
        sa.Column("pmid", sqlmodel.sql.sqltypes.AutoString(length=20), nullable=False),
        sa.Column("relevance", sqlmodel.sql.sqltypes.AutoString(length=10), nullable=False),
        sa.Column("relevance_score", sa.Float(), nullable=False),
        sa.Column("design", sqlmodel.sql.sqltypes.AutoString(length=30), nullable=False),
        sa.Column("priority", sa.Float(), nullable=False),
        sa.Column("explanation", sa.Text(), nullable=False),
        sa.Column("flags", sa.JSON(), nullable=True),
        sa.Column("data", sa.JSON(), nullable=False),
        sa.Column("kb_version", sqlmodel.sql.sqltypes.AutoString(), nullable=False),
        sa.Column("model", sqlmodel.sql.sqltypes.AutoString(), nullable=False),
        sa.Column(
            "classified_at", litwatch.store.column_types.UTCDateTime(timezone=True), nullable=False
        ),
        sa.ForeignKeyConstraint(
            ["pmid"],
            ["article.pmid"],
        ),
        sa.PrimaryKeyConstraint("id"),
    )
    with op.batch_alter_table("classification", schema=None) as batch_op:
        batch_op.create_index(batch_op.f("ix_classification_pmid"), ["pmid"], unique=True)
        batch_op.create_index(batch_op.f("ix_classification_priority"), ["priority"], unique=False)
        batch_op.create_index(
            batch_op.f("ix_classification_relevance"), ["relevance"], unique=False
        )

    op.create_table(
        "digest",
        sa.Column("id", sa.Integer(), nullable=False),
        sa.Column("subscriber_id", sa.Integer(), nullable=False),
        sa.Column("status", sqlmodel.sql.sqltypes.AutoString(), nullable=False),
        sa.Column(
            "period_start", litwatch.store.column_types.UTCDateTime(timezone=True), nullable=True
        ),
        sa.Column(
            "period_end", litwatch.store.column_types.UTCDateTime(timezone=True), nullable=False
        ),
        sa.Column(
            "created_at", litwatch.store.column_types.UTCDateTime(timezone=True), nullable=False
        ),
        sa.Column("attempts", sa.Integer(), nullable=False),
        sa.Column(
            "next_attempt_at", litwatch.store.column_types.UTCDateTime(timezone=True), nullable=True
        ),
        sa.Column("claimed_by", sqlmodel.sql.sqltypes.AutoString(), nullable=False),
        sa.Column(
            "claimed_at", litwatch.store.column_types.UTCDateTime(timezone=True), nullable=True
        ),
        sa.Column("sent_at", litwatch.store.column_types.UTCDateTime(timezone=True), nullable=True),
        sa.Column("message_id", sqlmodel.sql.sqltypes.AutoString(), nullable=False),
        sa.Column("subject", sqlmodel.sql.sqltypes.AutoString(), nullable=False),
        sa.Column("outbox_path", sqlmodel.sql.sqltypes.AutoString(), nullable=False),
        sa.Column("last_error", sa.Text(), nullable=False),
        sa.ForeignKeyConstraint(
            ["subscriber_id"],
            ["subscriber.id"],
        ),
        sa.PrimaryKeyConstraint("id"),
    )
    with op.batch_alter_table("digest", schema=None) as batch_op:
        batch_op.create_index("ix_digest_due", ["status", "next_attempt_at"], unique=False)
        batch_op.create_index(
            batch_op.f("ix_digest_subscriber_id"), ["subscriber_id"], unique=False
        )

    op.create_table(
        "feedback",
        sa.Column("id", sa.Integer(), nullable=False),
        sa.Column("pmid", sqlmodel.sql.sqltypes.AutoString(length=20), nullable=False),
        sa.Column("relevant", sa.Boolean(), nullable=True),
        sa.Column("finding_id", sqlmodel.sql.sqltypes.AutoString(), nullable=True),
        sa.Column("stance", sqlmodel.sql.sqltypes.AutoString(), nullable=True),
        sa.Column("source", sqlmodel.sql.sqltypes.AutoString(), nullable=False),
        sa.Column("who", sqlmodel.sql.sqltypes.AutoString(), nullable=False),
        sa.Column(
            "created_at", litwatch.store.column_types.UTCDateTime(timezone=True), nullable=False
        ),
        sa.ForeignKeyConstraint(
            ["pmid"],
            ["article.pmid"],
        ),
        sa.PrimaryKeyConstraint("id"),
    )
    with op.batch_alter_table("feedback", schema=None) as batch_op:
        batch_op.create_index(batch_op.f("ix_feedback_pmid"), ["pmid"], unique=False)

    op.create_table(
        "search_hit",
        sa.Column("id", sa.Integer(), nullable=False),
        sa.Column("search_id", sa.Integer(), nullable=False),
        sa.Column("pmid", sqlmodel.sql.sqltypes.AutoString(length=20), nullable=False),
        sa.Column(
            "first_seen", litwatch.store.column_types.UTCDateTime(timezone=True), nullable=False
        ),
        sa.ForeignKeyConstraint(
            ["pmid"],
            ["article.pmid"],
        ),
        sa.ForeignKeyConstraint(
            ["search_id"],
            ["saved_search.id"],
        ),
        sa.PrimaryKeyConstraint("id"),
        sa.UniqueConstraint("search_id", "pmid", name="uq_search_hit"),
    )
    with op.batch_alter_table("search_hit", schema=None) as batch_op:
        batch_op.create_index(batch_op.f("ix_search_hit_first_seen"), ["first_seen"], unique=False)
        batch_op.create_index(batch_op.f("ix_search_hit_pmid"), ["pmid"], unique=False)
        batch_op.create_index(batch_op.f("ix_search_hit_search_id"), ["search_id"], unique=False)

    op.create_table(
        "search_query_version",
        sa.Column("id", sa.Integer(), nullable=False),
        sa.Column("search_id", sa.Integer(), nullable=False),
        sa.Column("query", sa.Text(), nullable=False),
        sa.Column(
            "created_at", litwatch.store.column_types.UTCDateTime(timezone=True), nullable=False
        ),
        sa.ForeignKeyConstraint(
            ["search_id"],
            ["saved_search.id"],
        ),
        sa.PrimaryKeyConstraint("id"),
    )
    with op.batch_alter_table("search_query_version", schema=None) as batch_op:
        batch_op.create_index(
            batch_op.f("ix_search_query_version_search_id"), ["search_id"], unique=False
        )

    op.create_table(
        "trial_key",
        sa.Column("id", sa.Integer(), nullable=False),
        sa.Column("key", sqlmodel.sql.sqltypes.AutoString(length=100), nullable=False),
        sa.Column("pmid", sqlmodel.sql.sqltypes.AutoString(length=20), nullable=False),
        sa.ForeignKeyConstraint(
            ["pmid"],
            ["article.pmid"],
        ),
        sa.PrimaryKeyConstraint("id"),
        sa.UniqueConstraint("key", "pmid", name="uq_trial_key"),
    )
    with op.batch_alter_table("trial_key", schema=None) as batch_op:
        batch_op.create_index(batch_op.f("ix_trial_key_key"), ["key"], unique=False)
        batch_op.create_index(batch_op.f("ix_trial_key_pmid"), ["pmid"], unique=False)

    op.create_table(
        "digest_item",
        sa.Column("id", sa.Integer(), nullable=False),
        sa.Column("digest_id", sa.Integer(), nullable=False),
        sa.Column("subscriber_id", sa.Integer(), nullable=False),
        sa.Column("pmid", sqlmodel.sql.sqltypes.AutoString(length=20), nullable=False),
        sa.Column("kind", sqlmodel.sql.sqltypes.AutoString(), nullable=False),
        sa.ForeignKeyConstraint(
            ["digest_id"],
            ["digest.id"],
        ),
        sa.ForeignKeyConstraint(
            ["pmid"],
            ["article.pmid"],
        ),
        sa.ForeignKeyConstraint(
            ["subscriber_id"],
            ["subscriber.id"],
        ),
        sa.PrimaryKeyConstraint("id"),
        sa.UniqueConstraint("subscriber_id", "pmid", "kind", name="uq_digest_item_once"),
    )
    with op.batch_alter_table("digest_item", schema=None) as batch_op:
        batch_op.create_index(batch_op.f("ix_digest_item_digest_id"), ["digest_id"], unique=False)
        batch_op.create_index(
            batch_op.f("ix_digest_item_subscriber_id"), ["subscriber_id"], unique=False
        )

    op.create_table(
        "poll_run",
        sa.Column("id", sa.Integer(), nullable=False),
        sa.Column("search_id", sa.Integer(), nullable=False),
        sa.Column("query_version_id", sa.Integer(), nullable=True),
        sa.Column(
            "started_at", litwatch.store.column_types.UTCDateTime(timezone=True), nullable=False
        ),
        sa.Column(
            "finished_at", litwatch.store.column_types.UTCDateTime(timezone=True), nullable=True
        ),
        sa.Column("status", sqlmodel.sql.sqltypes.AutoString(), nullable=False),
        sa.Column("window_start", sa.Date(), nullable=True),
        sa.Column("window_end", sa.Date(), nullable=True),
        sa.Column("found", sa.Integer(), nullable=False),
        sa.Column("new", sa.Integer(), nullable=False),
        sa.Column("updated", sa.Integer(), nullable=False),
        sa.Column("failed", sa.Integer(), nullable=False),
        sa.Column("deleted", sa.Integer(), nullable=False),
        sa.Column("requests", sa.Integer(), nullable=False),
        sa.Column("error", sa.Text(), nullable=False),
        sa.ForeignKeyConstraint(
            ["query_version_id"],
            ["search_query_version.id"],
        ),
        sa.ForeignKeyConstraint(
            ["search_id"],
            ["saved_search.id"],
        ),
        sa.PrimaryKeyConstraint("id"),
    )
    with op.batch_alter_table("poll_run", schema=None) as batch_op:
        batch_op.create_index(batch_op.f("ix_poll_run_search_id"), ["search_id"], unique=False)
        batch_op.create_index(batch_op.f("ix_poll_run_started_at"), ["started_at"], unique=False)


def downgrade() -> None:
    with op.batch_alter_table("poll_run", schema=None) as batch_op:
        batch_op.drop_index(batch_op.f("ix_poll_run_started_at"))
        batch_op.drop_index(batch_op.f("ix_poll_run_search_id"))

    op.drop_table("poll_run")
    with op.batch_alter_table("digest_item", schema=None) as batch_op:
        batch_op.drop_index(batch_op.f("ix_digest_item_subscriber_id"))
        batch_op.drop_index(batch_op.f("ix_digest_item_digest_id"))

    op.drop_table("digest_item")
    with op.batch_alter_table("trial_key", schema=None) as batch_op:
        batch_op.drop_index(batch_op.f("ix_trial_key_pmid"))
        batch_op.drop_index(batch_op.f("ix_trial_key_key"))

    op.drop_table("trial_key")
    with op.batch_alter_table("search_query_version", schema=None) as batch_op:
        batch_op.drop_index(batch_op.f("ix_search_query_version_search_id"))

    op.drop_table("search_query_version")
    with op.batch_alter_table("search_hit", schema=None) as batch_op:
        batch_op.drop_index(batch_op.f("ix_search_hit_search_id"))
        batch_op.drop_index(batch_op.f("ix_search_hit_pmid"))
        batch_op.drop_index(batch_op.f("ix_search_hit_first_seen"))

    op.drop_table("search_hit")
    with op.batch_alter_table("feedback", schema=None) as batch_op:
        batch_op.drop_index(batch_op.f("ix_feedback_pmid"))

    op.drop_table("feedback")
    with op.batch_alter_table("digest", schema=None) as batch_op:
        batch_op.drop_index(batch_op.f("ix_digest_subscriber_id"))
        batch_op.drop_index("ix_digest_due")

    op.drop_table("digest")
    with op.batch_alter_table("classification", schema=None) as batch_op:
        batch_op.drop_index(batch_op.f("ix_classification_relevance"))
        batch_op.drop_index(batch_op.f("ix_classification_priority"))
        batch_op.drop_index(batch_op.f("ix_classification_pmid"))

    op.drop_table("classification")
    with op.batch_alter_table("article_finding", schema=None) as batch_op:
        batch_op.drop_index(batch_op.f("ix_article_finding_pmid"))
        batch_op.drop_index(batch_op.f("ix_article_finding_finding_id"))

    op.drop_table("article_finding")
    with op.batch_alter_table("subscriber", schema=None) as batch_op:
        batch_op.drop_index(batch_op.f("ix_subscriber_email"))

    op.drop_table("subscriber")
    with op.batch_alter_table("saved_search", schema=None) as batch_op:
        batch_op.drop_index(batch_op.f("ix_saved_search_name"))

    op.drop_table("saved_search")
    with op.batch_alter_table("job_run", schema=None) as batch_op:
        batch_op.drop_index(batch_op.f("ix_job_run_started_at"))
        batch_op.drop_index(batch_op.f("ix_job_run_job"))

    op.drop_table("job_run")
    op.drop_table("job_lock")
    with op.batch_alter_table("article", schema=None) as batch_op:
        batch_op.drop_index(batch_op.f("ix_article_pub_date"))
        batch_op.drop_index(batch_op.f("ix_article_pmid"))
        batch_op.drop_index(batch_op.f("ix_article_first_seen"))
        batch_op.drop_index(batch_op.f("ix_article_doi"))
        batch_op.drop_index(batch_op.f("ix_article_create_date"))

    op.drop_table("article")
