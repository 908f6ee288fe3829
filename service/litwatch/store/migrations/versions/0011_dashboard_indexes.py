"""indexes for the dashboard

Revision ID: 0011
Revises: 0010
Create Date: 2026-12-04

The dashboard walks the articles first stored since a moment, newest first, and keeps those
whose judgement passes its filters. These indexes cover what each step reads, so a page
stops after its rows without reading the wide article rows (their JSON) on the way:
``article(first_seen, id, deleted, retracted, pmid)`` (id too: pages are in (first_seen, id)
order), ``classification(pmid, relevance, design, priority)`` and ``article_finding(pmid,
stance, confidence)``. The first takes the place of ``ix_article_first_seen``, which it
begins with (SQLite would pick the narrower one and then read every article row).
"""

from collections.abc import Sequence

from alembic import op

revision: str = "0011"
down_revision: str | None = "0010"
branch_labels: str | Sequence[str] | None = None
depends_on: str | Sequence[str] | None = None

INDEXES = {
    "ix_article_dashboard": ("article", ["first_seen", "id", "deleted", "retracted", "pmid"]),
    "ix_classification_dashboard": ("classification", ["pmid", "relevance", "design", "priority"]),
    "ix_article_finding_dashboard": ("article_finding", ["pmid", "stance", "confidence"]),
}


def upgrade() -> None:
    for name, (table, columns) in INDEXES.items():
        op.create_index(name, table, columns)
    op.drop_index("ix_article_first_seen", table_name="article")


def downgrade() -> None:
    op.create_index("ix_article_first_seen", "article", ["first_seen"])
    for name, (table, _) in INDEXES.items():
        op.drop_index(name, table_name=table)
