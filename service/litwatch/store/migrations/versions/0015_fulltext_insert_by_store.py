"""SQLite's full-text index fed by the store on insert, not by a trigger

Revision ID: 0015
Revises: 0014
Create Date: 2026-12-04

An insert trigger added each new article to ``article_fts`` a row at a time; a trigger's
every row opens a statement journal, and the index cost three times what the same rows cost
inserted in one statement. ``store.articles.upsert_articles``, the one place articles are
inserted, now adds the rows it inserted itself (``_index_new`` there). The
triggers on change and on deletion stay. PostgreSQL's index is a generated column:
untouched.
"""

from collections.abc import Sequence

from alembic import op

revision: str = "0015"
down_revision: str | None = "0014"
branch_labels: str | Sequence[str] | None = None
depends_on: str | Sequence[str] | None = None

_ADD_NEW = (
    "INSERT INTO article_fts(rowid, title, abstract, journal) "
    "SELECT new.id, new.title, new.abstract, new.journal WHERE NOT new.deleted"
)


def upgrade() -> None:
    if op.get_bind().dialect.name == "sqlite":
        op.execute("DROP TRIGGER article_fts_insert")


def downgrade() -> None:
    if op.get_bind().dialect.name == "sqlite":
        trigger = "CREATE TRIGGER article_fts_insert AFTER INSERT ON article BEGIN"
        op.execute(f"{trigger} {_ADD_NEW}; END")
