"""user directory: display name, active flag, roles per system, version

Revision ID: 0002
Revises: 0001
Create Date: 2026-12-03 18:50:00
"""

from collections.abc import Sequence

import sqlalchemy as sa
from alembic import op
from sqlalchemy.dialects import postgresql

revision: str = "0002"
down_revision: str | None = "0001"
branch_labels: str | Sequence[str] | None = None
depends_on: str | Sequence[str] | None = None


def upgrade() -> None:
    op.add_column("user_directory", sa.Column("display_name", sa.String(100), nullable=True))
    op.add_column(
        "user_directory",
        sa.Column("is_active", sa.Boolean(), nullable=False, server_default=sa.true()),
    )
    op.add_column(
        "user_directory",
        sa.Column(
            "systems", postgresql.JSONB(), nullable=False, server_default=sa.text("'{}'::jsonb")
        ),
    )
    # auth's per-user counter, kept per aspect: a late rename must still apply after a
    # newer roles change, and the other way round.
    for column in ("profile_version", "roles_version"):
        op.add_column(
            "user_directory",
            sa.Column(column, sa.Integer(), nullable=False, server_default=sa.text("-1")),
        )
    op.alter_column("user_directory", "username", nullable=True)
    op.alter_column("user_directory", "email", nullable=True)
    # Who holds a role in a system: the SLA notices go to a system's managers.
    op.create_index(
        "ix_user_directory_systems", "user_directory", ["systems"], postgresql_using="gin"
    )


def downgrade() -> None:
    op.drop_index("ix_user_directory_systems", table_name="user_directory")
    for column in ("roles_version", "profile_version", "systems", "is_active", "display_name"):
        op.drop_column("user_directory", column)
