"""the moments of the latest changes, indexed

Revision ID: 0013
Revises: 0012
Create Date: 2026-12-04

A finding's page keeps its evidence table between requests while nothing it reads has
changed; what it reads changes only with an article stored, re-stored, retracted or deleted
(``article.updated_at``) or an article classified again (``classification.classified_at``).
Indexed, the latest of each is one step down an index, however large the store.
"""

from collections.abc import Sequence

from alembic import op

revision: str = "0013"
down_revision: str | None = "0012"
branch_labels: str | Sequence[str] | None = None
depends_on: str | Sequence[str] | None = None

INDEXES = {
    "ix_article_updated_at": ("article", ["updated_at"]),
    "ix_classification_classified_at": ("classification", ["classified_at"]),
}


def upgrade() -> None:
    for name, (table, columns) in INDEXES.items():
        op.create_index(name, table, columns)


def downgrade() -> None:
    for name, (table, _) in INDEXES.items():
        op.drop_index(name, table_name=table)
