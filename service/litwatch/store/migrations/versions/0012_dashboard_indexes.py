"""what the dashboard reads, kept narrow and indexed

Revision ID: 0012
Revises: 0011
Create Date: 2026-12-04

The dashboard walks the articles first stored since a moment, newest first, and keeps those
whose judgement passes its filters. Each filter is a set of PMIDs read from an index, so the
walk never reads the wide rows (their JSON) of articles it leaves out:

- ``classification`` gains three flags as columns of their own (``multicentre_rct``,
  ``retraction``: retracted or a retraction notice, ``notice``: retracted, a retraction
  notice or an erratum), filled from the JSON ``flags`` of the rows already stored;
- ``ix_classification_dashboard`` (relevance, design, the three flags, pmid);
- ``ix_article_finding_dashboard`` (stance, confidence, pmid);
- ``ix_article_dashboard`` (first_seen, id, deleted, retracted, pmid), in place of
  ``ix_article_first_seen``, which it begins with: pages go in (first_seen, id) order.
"""

from collections.abc import Sequence

import sqlalchemy as sa
from alembic import op

revision: str = "0012"
down_revision: str | None = "0011"
branch_labels: str | Sequence[str] | None = None
depends_on: str | Sequence[str] | None = None

FLAGS = {
    "multicentre_rct": ("multicentre-rct",),
    "retraction": ("retracted", "retraction-notice"),
    "notice": ("retracted", "retraction-notice", "erratum"),
}
INDEXES = {
    "ix_classification_dashboard": (
        "classification",
        ["relevance", "design", "multicentre_rct", "retraction", "notice", "pmid"],
    ),
    "ix_article_finding_dashboard": ("article_finding", ["stance", "confidence", "pmid"]),
    "ix_article_dashboard": ("article", ["first_seen", "id", "deleted", "retracted", "pmid"]),
}


def upgrade() -> None:
    with op.batch_alter_table("classification") as batch:
        for name in FLAGS:
            batch.add_column(
                sa.Column(name, sa.Boolean(), nullable=False, server_default=sa.false())
            )
    for name, flags in FLAGS.items():
        # The flags are a JSON list: as text each one is a quoted string, on both databases.
        test = " OR ".join(f"CAST(flags AS TEXT) LIKE '%\"{flag}\"%'" for flag in flags)
        op.execute(f"UPDATE classification SET {name} = TRUE WHERE {test}")
    for name, (table, columns) in INDEXES.items():
        op.create_index(name, table, columns)
    op.drop_index("ix_article_first_seen", table_name="article")


def downgrade() -> None:
    op.create_index("ix_article_first_seen", "article", ["first_seen"])
    for name, (table, _) in INDEXES.items():
        op.drop_index(name, table_name=table)
    with op.batch_alter_table("classification") as batch:
        for name in FLAGS:
            batch.drop_column(name)
