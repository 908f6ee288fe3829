"""a classification's n as a column, and indexes for the dashboard's sorts and retractions

Revision ID: 0014
Revises: 0013
Create Date: 2026-12-04

The dashboard sorts by n, and by relevance then priority; both sorted every new article
by a value read from its classification's wide row (n from its JSON). ``classification.n``
keeps ``numbers.n`` when it is a whole number (filled here from the rows already stored;
an evidence table reads it too), and two indexes let a sort walk in its order and stop
after a page: ``ix_classification_rank`` (relevance, priority, design, pmid) and
``ix_classification_n`` (relevance, n, design, pmid); the design in them is read on the way.
The retractions section looked for retracted articles through every article's row:
``ix_article_retracted`` holds the retracted ones alone (a partial index), so it costs a
write nothing but for a retracted article.
"""

from collections.abc import Sequence

import sqlalchemy as sa
from alembic import op

revision: str = "0014"
down_revision: str | None = "0013"
branch_labels: str | Sequence[str] | None = None
depends_on: str | Sequence[str] | None = None

INDEXES = {
    "ix_classification_rank": ["relevance", "priority", "design", "pmid"],
    "ix_classification_n": ["relevance", "n", "design", "pmid"],
}


def upgrade() -> None:
    with op.batch_alter_table("classification") as batch:
        batch.add_column(sa.Column("n", sa.Integer(), nullable=True))
    if op.get_bind().dialect.name == "postgresql":
        n = "data -> 'numbers' ->> 'n'"
        op.execute(
            f"UPDATE classification SET n = CAST(CAST({n} AS NUMERIC) AS INTEGER) "
            f"WHERE json_typeof(data -> 'numbers' -> 'n') = 'number' "
            f"AND CAST({n} AS NUMERIC) = TRUNC(CAST({n} AS NUMERIC))"
        )
    else:
        n = "json_extract(data, '$.numbers.n')"
        op.execute(
            f"UPDATE classification SET n = CAST({n} AS INTEGER) "
            f"WHERE json_type(data, '$.numbers.n') IN ('integer', 'real') "
            f"AND {n} = CAST({n} AS INTEGER)"
        )
    for name, columns in INDEXES.items():
        op.create_index(name, "classification", columns)
    op.create_index(
        "ix_article_retracted",
        "article",
        ["retracted"],
        sqlite_where=sa.text("retracted = 1"),  # the term as queries write it
        postgresql_where=sa.text("retracted"),
    )


def downgrade() -> None:
    op.drop_index("ix_article_retracted", table_name="article")
    for name in INDEXES:
        op.drop_index(name, table_name="classification")
    with op.batch_alter_table("classification") as batch:
        batch.drop_column("n")
