"""digest message kept with the digest

Revision ID: 0003
Revises: 0002
Create Date: 2026-12-02

A digest is rendered once, when it is recorded, and its text, HTML and unsubscribe link are
kept in its row so every try sends the same message. The columns are nullable: a digest
recorded before this revision has none, and is rendered from its items when it is sent.
"""

from collections.abc import Sequence

import sqlalchemy as sa
from alembic import op

revision: str = "0003"
down_revision: str | None = "0002"
branch_labels: str | Sequence[str] | None = None
depends_on: str | Sequence[str] | None = None

COLUMNS = ("body_text", "body_html", "unsubscribe_url")


def upgrade() -> None:
    # Batch mode, as in the earlier revisions: SQLite can add a column in place but not drop
    # one, so on downgrade Alembic copies the table there; PostgreSQL gets plain ALTER TABLE.
    with op.batch_alter_table("digest", schema=None) as batch_op:
        for name in COLUMNS:
            batch_op.add_column(sa.Column(name, sa.Text(), nullable=True))


def downgrade() -> None:
    with op.batch_alter_table("digest", schema=None) as batch_op:
        for name in reversed(COLUMNS):
            batch_op.drop_column(name)
