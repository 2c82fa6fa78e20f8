"""users.display_name (unset: the username) and users.directory_version (bumped with every
change that `user.updated`/`user.roles_changed` publish; existing users start at 1, so a
backfilled row outranks any event from before versions existed, which parse as 0)

Revision ID: 0004
Revises: 0003
"""

from collections.abc import Sequence

import sqlalchemy as sa
from alembic import op

revision: str = "0004"
down_revision: str | None = "0003"
branch_labels: str | Sequence[str] | None = None
depends_on: str | Sequence[str] | None = None


def upgrade() -> None:
    op.add_column("users", sa.Column("display_name", sa.String(length=100), nullable=True))
    op.add_column(
        "users",
        sa.Column("directory_version", sa.Integer(), server_default="1", nullable=False),
    )


def downgrade() -> None:
    op.drop_column("users", "directory_version")
    op.drop_column("users", "display_name")
