"""job locks say who holds them: host, pid, process start and since when

Revision ID: 0005
Revises: 0004
Create Date: 2026-12-02

A lease row now names its holder's host and process (with the process's start time, so a
reused PID is not taken for the holder) and when it was taken. A held lease whose holder is on
this host and gone can then be taken over at once, and a skipped run can say who holds it.
Rows from before have none of this and are left to expire as they would have.
"""

from collections.abc import Sequence

import sqlalchemy as sa
import sqlmodel
from alembic import op

import litwatch.store.column_types

revision: str = "0005"
down_revision: str | None = "0004"
branch_labels: str | Sequence[str] | None = None
depends_on: str | Sequence[str] | None = None


def upgrade() -> None:
    utc = litwatch.store.column_types.UTCDateTime(timezone=True)
    with op.batch_alter_table("job_lock", schema=None) as batch_op:
        batch_op.add_column(
            sa.Column(
                "host",
                sqlmodel.sql.sqltypes.AutoString(length=255),
                nullable=False,
                server_default="",
            )
        )
        batch_op.add_column(sa.Column("pid", sa.Integer(), nullable=False, server_default="0"))
        batch_op.add_column(sa.Column("process_started_at", utc, nullable=True))
        batch_op.add_column(sa.Column("acquired_at", utc, nullable=True))


def downgrade() -> None:
    with op.batch_alter_table("job_lock", schema=None) as batch_op:
        batch_op.drop_column("acquired_at")
        batch_op.drop_column("process_started_at")
        batch_op.drop_column("pid")
        batch_op.drop_column("host")
