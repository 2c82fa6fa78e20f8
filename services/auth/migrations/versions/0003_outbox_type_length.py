"""outbox.type as varchar(64), like every producer's (the shared outbox columns)

Revision ID: 0003
Revises: 0002
"""

from collections.abc import Sequence

import sqlalchemy as sa
from alembic import op

revision: str = "0003"
down_revision: str | None = "0002"
branch_labels: str | Sequence[str] | None = None
depends_on: str | Sequence[str] | None = None


def upgrade() -> None:
    op.alter_column("outbox", "type", type_=sa.String(length=64), existing_nullable=False)


def downgrade() -> None:
    op.alter_column("outbox", "type", type_=sa.String(), existing_nullable=False)
