"""notice links; the rules version of classifications and snapshots

Revision ID: 0004
Revises: 0003
Create Date: 2026-12-09

``notice_link`` pairs a retraction notice or erratum with the article it notices, read from
either record's CommentsCorrections, so the link holds whichever record arrives first. It is
filled here from the records already stored. ``rules_version`` says which rules made a
classification (and with which the store was last synced): "" for every row made before, so
the next sync re-classifies them with the current rules.
"""

from collections.abc import Sequence

import sqlalchemy as sa
import sqlmodel
from alembic import op

revision: str = "0004"
down_revision: str | None = "0003"
branch_labels: str | Sequence[str] | None = None
depends_on: str | Sequence[str] | None = None

NOTICE = {"RetractionOf": "retraction", "ErratumFor": "erratum"}
NOTICED = {"RetractionIn": "retraction", "ErratumIn": "erratum"}


def upgrade() -> None:
    links = op.create_table(
        "notice_link",
        sa.Column("id", sa.Integer(), nullable=False),
        sa.Column("notice_pmid", sqlmodel.sql.sqltypes.AutoString(length=20), nullable=False),
        sa.Column("target_pmid", sqlmodel.sql.sqltypes.AutoString(length=20), nullable=False),
        sa.Column("kind", sqlmodel.sql.sqltypes.AutoString(length=20), nullable=False),
        sa.PrimaryKeyConstraint("id"),
        sa.UniqueConstraint("notice_pmid", "target_pmid", name="uq_notice_link"),
    )
    with op.batch_alter_table("notice_link", schema=None) as batch_op:
        batch_op.create_index("ix_notice_link_notice_pmid", ["notice_pmid"], unique=False)
        batch_op.create_index("ix_notice_link_target_pmid", ["target_pmid"], unique=False)
    for table in ("classification", "kb_snapshot"):
        with op.batch_alter_table(table, schema=None) as batch_op:
            batch_op.add_column(
                sa.Column(
                    "rules_version",
                    sqlmodel.sql.sqltypes.AutoString(length=64),
                    nullable=False,
                    server_default="",
                )
            )
    _fill_links(links)


def _fill_links(links: sa.Table) -> None:
    """Links from the records stored before this revision, and their retractions marked."""
    bind = op.get_bind()
    article = sa.table(
        "article", sa.column("pmid"), sa.column("data", sa.JSON), sa.column("retracted", sa.Boolean)
    )
    found: dict[tuple[str, str], str] = {}
    for pmid, data in bind.execute(sa.select(article.c.pmid, article.c.data)):
        for cc in (data or {}).get("comments_corrections", []):
            other = cc.get("pmid") or ""
            if not other or other == pmid:
                continue
            if cc.get("ref_type") in NOTICE:
                found[(pmid, other)] = NOTICE[cc["ref_type"]]
            elif cc.get("ref_type") in NOTICED:
                found[(other, pmid)] = NOTICED[cc["ref_type"]]
    if found:
        op.bulk_insert(
            links,
            [{"notice_pmid": n, "target_pmid": t, "kind": k} for (n, t), k in found.items()],
        )
    retracted = sorted({t for (_n, t), k in found.items() if k == "retraction"})
    if retracted:
        bind.execute(sa.update(article).where(article.c.pmid.in_(retracted)).values(retracted=True))


def downgrade() -> None:
    for table in ("kb_snapshot", "classification"):
        with op.batch_alter_table(table, schema=None) as batch_op:
            batch_op.drop_column("rules_version")
    with op.batch_alter_table("notice_link", schema=None) as batch_op:
        batch_op.drop_index("ix_notice_link_target_pmid")
        batch_op.drop_index("ix_notice_link_notice_pmid")
    op.drop_table("notice_link")
