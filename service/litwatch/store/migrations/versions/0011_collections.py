"""saved collections of imported articles

Revision ID: 0011
Revises: 0010
Create Date: 2026-12-04

``collection`` names a set of articles imported from a file (PubMed .nbib or a PMID list);
``collection_article`` holds its articles, each once, with when it was added.
"""

from collections.abc import Sequence

import sqlalchemy as sa
import sqlmodel
from alembic import op

from litwatch.store.column_types import UTCDateTime

revision: str = "0011"
down_revision: str | None = "0010"
branch_labels: str | Sequence[str] | None = None
depends_on: str | Sequence[str] | None = None


def upgrade() -> None:
    op.create_table(
        "collection",
        sa.Column("id", sa.Integer(), nullable=False),
        sa.Column("name", sqlmodel.sql.sqltypes.AutoString(length=100), nullable=False),
        sa.Column("created_at", UTCDateTime(timezone=True), nullable=False),
        sa.PrimaryKeyConstraint("id"),
    )
    op.create_index(op.f("ix_collection_name"), "collection", ["name"], unique=True)
    op.create_table(
        "collection_article",
        sa.Column("id", sa.Integer(), nullable=False),
        sa.Column("collection_id", sa.Integer(), nullable=False),
        sa.Column("pmid", sqlmodel.sql.sqltypes.AutoString(length=20), nullable=False),
        sa.Column("added_at", UTCDateTime(timezone=True), nullable=False),
        sa.ForeignKeyConstraint(["collection_id"], ["collection.id"]),
        sa.ForeignKeyConstraint(["pmid"], ["article.pmid"]),
        sa.PrimaryKeyConstraint("id"),
        sa.UniqueConstraint("collection_id", "pmid", name="uq_collection_article"),
    )
    op.create_index(
        op.f("ix_collection_article_collection_id"), "collection_article", ["collection_id"]
    )
    op.create_index(op.f("ix_collection_article_pmid"), "collection_article", ["pmid"])


def downgrade() -> None:
    op.drop_index(op.f("ix_collection_article_pmid"), table_name="collection_article")
    op.drop_index(op.f("ix_collection_article_collection_id"), table_name="collection_article")
    op.drop_table("collection_article")
    op.drop_index(op.f("ix_collection_name"), table_name="collection")
    op.drop_table("collection")
