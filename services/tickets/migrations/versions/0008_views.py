"""views: saved views (private or shared per system), and the list's default order

Revision ID: 0008
Revises: 0007

`GET /api/tickets` sorts by `-updated_at` by default now (contract §14):
`ix_tickets_updated` serves that order (and `updated_at` ascending, scanned backwards)
like `ix_tickets_created` serves `created_at`, so the first page reads a few index entries
instead of sorting every visible ticket.
"""

from collections.abc import Sequence

import sqlalchemy as sa
from alembic import op
from sqlalchemy.dialects import postgresql

revision: str = "0008"
down_revision: str | None = "0007"
branch_labels: str | Sequence[str] | None = None
depends_on: str | Sequence[str] | None = None


def upgrade() -> None:
    op.create_table(
        "views",
        sa.Column("id", sa.BigInteger(), sa.Identity(), nullable=False),
        sa.Column("owner_id", sa.String(length=64), nullable=False),
        sa.Column("name", sa.String(length=100), nullable=False),
        sa.Column("filters", postgresql.JSONB(), nullable=False),
        sa.Column("sort", sa.String(length=32), nullable=True),
        sa.Column("shared", sa.Boolean(), server_default=sa.false(), nullable=False),
        sa.Column("system", sa.String(length=64), nullable=True),
        sa.Column("created_at", sa.DateTime(timezone=True), nullable=False),
        sa.Column("updated_at", sa.DateTime(timezone=True), nullable=False),
        sa.PrimaryKeyConstraint("id", name=op.f("pk_views")),
    )
    op.create_index("ix_views_owner", "views", ["owner_id"])
    op.create_index(
        "ix_views_shared_system", "views", ["system"], postgresql_where=sa.text("shared")
    )
    op.create_index(
        "ix_tickets_updated", "tickets", [sa.text("updated_at DESC"), sa.text("id DESC")],
        postgresql_where=sa.text("deleted_at IS NULL"),
    )


def downgrade() -> None:
    op.drop_index("ix_tickets_updated", table_name="tickets")
    op.drop_table("views")
