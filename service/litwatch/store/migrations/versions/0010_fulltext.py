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

_REMOVE_OLD = (
    f"INSERT INTO article_fts(article_fts, rowid, {_COLUMNS}) SELECT {_OLD} WHERE NOT old.deleted"
)
_ADD_NEW = f"INSERT INTO article_fts(rowid, {_COLUMNS}) SELECT {_NEW} WHERE NOT new.deleted"

# A deleted article (DeleteCitation) is kept out of the index, so a search never has to read
# the wide article rows to leave it out.
SQLITE_UP = [
    f"CREATE VIRTUAL TABLE article_fts USING fts5({_COLUMNS}, content='article', "
    "content_rowid='id', tokenize='porter unicode61 remove_diacritics 2')",
    f"CREATE TRIGGER article_fts_insert AFTER INSERT ON article BEGIN {_ADD_NEW}; END",
    f"CREATE TRIGGER article_fts_delete AFTER DELETE ON article BEGIN {_REMOVE_OLD}; END",
    # Only a change of the indexed text or of ``deleted`` touches the index; other flags
    # (retracted, fetched_at) do not.
    f"CREATE TRIGGER article_fts_update AFTER UPDATE OF {_COLUMNS}, deleted ON article BEGIN "
    f"{_REMOVE_OLD}; {_ADD_NEW}; END",
    f"INSERT INTO article_fts(rowid, {_COLUMNS}) SELECT id, {_COLUMNS} FROM article "
    "WHERE NOT deleted",
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
