"""quarantined records; retries and quarantined counts of a poll run

Revision ID: 0007
Revises: 0006
Create Date: 2026-12-02

``quarantined_record`` keeps each record that arrived but could not be read, with the error,
until a later poll stores it. ``poll_run`` gains ``retries`` (requests tried again after a
passing fault) and ``quarantined`` (records of the run put in quarantine).
"""

from collections.abc import Sequence

import sqlalchemy as sa
import sqlmodel
from alembic import op

from litwatch.store.column_types import UTCDateTime

revision: str = "0007"
down_revision: str | None = "0006"
branch_labels: str | Sequence[str] | None = None
depends_on: str | Sequence[str] | None = None


def upgrade() -> None:
    op.create_table(
        "quarantined_record",
        sa.Column("id", sa.Integer(), nullable=False),
        sa.Column("pmid", sqlmodel.sql.sqltypes.AutoString(length=20), nullable=False),
        sa.Column("search_id", sa.Integer(), nullable=False),
        sa.Column("poll_run_id", sa.Integer(), nullable=True),
        sa.Column("error", sa.Text(), nullable=False),
        sa.Column("attempts", sa.Integer(), nullable=False),
        sa.Column("first_failed_at", UTCDateTime(timezone=True), nullable=False),
        sa.Column("last_failed_at", UTCDateTime(timezone=True), nullable=False),
        sa.ForeignKeyConstraint(["search_id"], ["saved_search.id"]),
        sa.PrimaryKeyConstraint("id"),
    )
    with op.batch_alter_table("quarantined_record", schema=None) as batch_op:
        batch_op.create_index("ix_quarantined_record_pmid", ["pmid"], unique=True)
        batch_op.create_index("ix_quarantined_record_search_id", ["search_id"], unique=False)
    with op.batch_alter_table("poll_run", schema=None) as batch_op:
        for name in ("retries", "quarantined"):
            batch_op.add_column(sa.Column(name, sa.Integer(), nullable=False, server_default="0"))


def downgrade() -> None:
    with op.batch_alter_table("poll_run", schema=None) as batch_op:
        batch_op.drop_column("quarantined")
        batch_op.drop_column("retries")
    with op.batch_alter_table("quarantined_record", schema=None) as batch_op:
        batch_op.drop_index("ix_quarantined_record_search_id")
        batch_op.drop_index("ix_quarantined_record_pmid")
    op.drop_table("quarantined_record")
