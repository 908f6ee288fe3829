"""full-text index of title, abstract and journal

Revision ID: 0010
Revises: 0009
Create Date: 2026-12-03

SQLite: ``article_fts``, an FTS5 table over ``article``'s own text (external content, so the
text is stored once), kept in step by triggers on insert, update and delete, and filled from
the rows already stored. PostgreSQL: ``article.search_vector``, a stored generated tsvector
(title weighted A, abstract B, journal D) with a GIN index; adding the column computes it for
every stored row. Both stem English words, so "trials" finds "trial".
"""

from collections.abc import Sequence

from alembic import op

revision: str = "0010"
down_revision: str | None = "0009"
branch_labels: str | Sequence[str] | None = None
depends_on: str | Sequence[str] | None = None

_COLUMNS = "title, abstract, journal"
_NEW = "new.id, new.title, new.abstract, new.journal"
_OLD = "'delete', old.id, old.title, old.abstract, old.journal"

SQLITE_UP = [
    f"CREATE VIRTUAL TABLE article_fts USING fts5({_COLUMNS}, content='article', "
    "content_rowid='id', tokenize='porter unicode61 remove_diacritics 2')",
    f"CREATE TRIGGER article_fts_insert AFTER INSERT ON article BEGIN "
    f"INSERT INTO article_fts(rowid, {_COLUMNS}) VALUES ({_NEW}); END",
    f"CREATE TRIGGER article_fts_delete AFTER DELETE ON article BEGIN "
    f"INSERT INTO article_fts(article_fts, rowid, {_COLUMNS}) VALUES ({_OLD}); END",
    # Only a change of the indexed text re-indexes a row; flags (retracted, fetched_at) do not.
    f"CREATE TRIGGER article_fts_update AFTER UPDATE OF {_COLUMNS} ON article BEGIN "
    f"INSERT INTO article_fts(article_fts, rowid, {_COLUMNS}) VALUES ({_OLD}); "
    f"INSERT INTO article_fts(rowid, {_COLUMNS}) VALUES ({_NEW}); END",
    "INSERT INTO article_fts(article_fts) VALUES ('rebuild')",
]
SQLITE_DOWN = [
    "DROP TRIGGER article_fts_update",
    "DROP TRIGGER article_fts_delete",
    "DROP TRIGGER article_fts_insert",
    "DROP TABLE article_fts",
]
POSTGRES_UP = [
    "ALTER TABLE article ADD COLUMN search_vector tsvector GENERATED ALWAYS AS ("
    "setweight(to_tsvector('english', coalesce(title, '')), 'A') || "
    "setweight(to_tsvector('english', coalesce(abstract, '')), 'B') || "
    "setweight(to_tsvector('english', coalesce(journal, '')), 'D')) STORED",
    "CREATE INDEX ix_article_search_vector ON article USING gin (search_vector)",
]
POSTGRES_DOWN = [
    "DROP INDEX ix_article_search_vector",
    "ALTER TABLE article DROP COLUMN search_vector",
]


def _run(statements: list[str]) -> None:
    for statement in statements:
        op.execute(statement)


def upgrade() -> None:
    if op.get_bind().dialect.name == "postgresql":
        _run(POSTGRES_UP)
    else:
        _run(SQLITE_UP)


def downgrade() -> None:
    if op.get_bind().dialect.name == "postgresql":
        _run(POSTGRES_DOWN)
    else:
        _run(SQLITE_DOWN)
