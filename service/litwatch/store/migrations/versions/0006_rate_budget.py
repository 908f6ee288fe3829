"""the shared request-rate budget

Revision ID: 0006
Revises: 0005
Create Date: 2026-12-02

``rate_slot`` holds the slots of each request-rate budget (one per API key, or per keyless
tool, at one E-utilities host), so that every instance sharing a PostgreSQL database draws
from one budget. It is made on PostgreSQL only: a SQLite store keeps its budget in a file
beside the database (``litwatch.store.rate_budget``), away from the main file's write lock.
"""

from collections.abc import Sequence

import sqlalchemy as sa
import sqlmodel
from alembic import op

revision: str = "0006"
down_revision: str | None = "0005"
branch_labels: str | Sequence[str] | None = None
depends_on: str | Sequence[str] | None = None


def upgrade() -> None:
    if op.get_bind().dialect.name != "postgresql":
        return
    op.create_table(
        "rate_slot",
        sa.Column("budget", sqlmodel.sql.sqltypes.AutoString(length=300), nullable=False),
        sa.Column("slot", sa.Integer(), nullable=False),
        sa.Column("free_at", sa.Float(), nullable=False),
        sa.Column("generation", sa.Integer(), nullable=False),
        sa.Column("in_flight", sa.Boolean(), nullable=False),
        sa.PrimaryKeyConstraint("budget", "slot"),
    )


def downgrade() -> None:
    if op.get_bind().dialect.name != "postgresql":
        return
    op.drop_table("rate_slot")
