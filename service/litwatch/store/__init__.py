"""The store: the database engine, its tables and migrations, and every query.

Owns: the engine for SQLite and PostgreSQL and the Alembic migrations (``engine``,
``migrations/``), the tables (``tables``) and column types (``column_types``), and one module
of queries per thing kept (articles, saved searches, runs, leases, classifications, feedback,
digests, subscribers...), and the shared request-rate budget (``rate_budget``). Nothing
outside this package builds SQL or imports SQLAlchemy's query builders; callers get a
``Session`` from ``Session(engine)``, pass it in, and commit.

May import: ``litwatch.records``, ``litwatch.errors``, ``litwatch.pubmed.markup``,
``litwatch.eutils.ratelimit`` (the slots the budget hands out).
"""
