"""a removed saved search keeps its run history

Revision ID: 0008
Revises: 0007
Create Date: 2026-12-02

Removing a saved search used to delete its poll runs with it. Now a run keeps the name of its
search (``poll_run.search_name``, filled here from the searches stored), and a run's and a
query version's ``search_id`` may be NULL: the search is gone, its history stays.
"""

from collections.abc import Sequence

import sqlalchemy as sa
import sqlmodel
from alembic import op

revision: str = "0008"
down_revision: str | None = "0007"
branch_labels: str | Sequence[str] | None = None
depends_on: str | Sequence[str] | None = None


def upgrade() -> None:
    with op.batch_alter_table("poll_run", schema=None) as batch_op:
        batch_op.add_column(
            sa.Column(
                "search_name",
                sqlmodel.sql.sqltypes.AutoString(length=100),
                nullable=False,
                server_default="",
            )
        )
        batch_op.alter_column("search_id", existing_type=sa.Integer(), nullable=True)
    with op.batch_alter_table("search_query_version", schema=None) as batch_op:
        batch_op.alter_column("search_id", existing_type=sa.Integer(), nullable=True)
    run = sa.table("poll_run", sa.column("search_id"), sa.column("search_name"))
    search = sa.table("saved_search", sa.column("id"), sa.column("name"))
    name_of = sa.select(search.c.name).where(search.c.id == run.c.search_id).scalar_subquery()
    op.get_bind().execute(sa.update(run).values(search_name=sa.func.coalesce(name_of, "")))


def downgrade() -> None:
    # Runs and query versions of removed searches cannot keep a NULL search: they go.
    bind = op.get_bind()
    bind.execute(sa.text("DELETE FROM poll_run WHERE search_id IS NULL"))
    bind.execute(sa.text("DELETE FROM search_query_version WHERE search_id IS NULL"))
    with op.batch_alter_table("search_query_version", schema=None) as batch_op:
        batch_op.alter_column("search_id", existing_type=sa.Integer(), nullable=False)
    with op.batch_alter_table("poll_run", schema=None) as batch_op:
        batch_op.alter_column("search_id", existing_type=sa.Integer(), nullable=False)
        batch_op.drop_column("search_name")
