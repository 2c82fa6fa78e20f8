"""Wake the outbox relay when an outbox insert commits (LISTEN/NOTIFY).

Revision ID: 0004
Revises: 0003
"""

from collections.abc import Sequence

from alembic import op

from servicedesk_shared.messaging.relay import notify_trigger_sql

revision: str = "0004"
down_revision: str | None = "0003"
branch_labels: str | Sequence[str] | None = None
depends_on: str | Sequence[str] | None = None


def upgrade() -> None:
    for statement in notify_trigger_sql("outbox"):
        op.execute(statement)


def downgrade() -> None:
    op.execute("DROP TRIGGER IF EXISTS outbox_notify ON outbox")
    op.execute("DROP FUNCTION IF EXISTS outbox_notify()")
