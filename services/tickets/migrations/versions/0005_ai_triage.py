"""AI triage per ticket, global AI settings, the consumer inbox; existing tickets pending

Revision ID: 0005
Revises: 0004

Duplicate detection needs no new index: it searches the stored `tickets.search` tsvector
through the GIN index `ix_tickets_search` (0001), and needs no extension.
"""

from collections.abc import Sequence

import sqlalchemy as sa
from alembic import op
from sqlalchemy.dialects import postgresql

from servicedesk_shared.messaging.inbox import inbox_table_sql

revision: str = "0005"
down_revision: str | None = "0004"
branch_labels: str | Sequence[str] | None = None
depends_on: str | Sequence[str] | None = None


def upgrade() -> None:
    op.create_table(
        "ai_triage",
        sa.Column("ticket_id", sa.BigInteger(), nullable=False),
        sa.Column("status", sa.String(length=16), nullable=False),
        sa.Column("category", sa.String(length=100), nullable=True),
        sa.Column("priority", sa.String(length=16), nullable=True),
        sa.Column("title", sa.String(length=200), nullable=True),
        sa.Column("summary", sa.Text(), nullable=True),
        sa.Column("confidence", sa.Float(), nullable=True),
        sa.Column("model", sa.String(length=200), nullable=True),
        sa.Column("possible_duplicates", postgresql.ARRAY(sa.BigInteger()),
                  server_default=sa.text("'{}'"), nullable=False),
        sa.Column("error", sa.Text(), nullable=True),
        sa.Column("applied", postgresql.ARRAY(sa.String(length=32)),
                  server_default=sa.text("'{}'"), nullable=False),
        sa.Column("event_id", sa.Uuid(), nullable=True),
        sa.Column("occurred_at", sa.DateTime(timezone=True), nullable=True),
        sa.Column("updated_at", sa.DateTime(timezone=True), nullable=False),
        sa.CheckConstraint("status IN ('pending', 'suggested', 'failed')",
                           name=op.f("ck_ai_triage_status")),
        sa.ForeignKeyConstraint(["ticket_id"], ["tickets.id"], ondelete="CASCADE",
                                name=op.f("fk_ai_triage_ticket_id_tickets")),
        sa.PrimaryKeyConstraint("ticket_id", name=op.f("pk_ai_triage")),
    )
    op.create_table(
        "ai_settings",
        sa.Column("id", sa.SmallInteger(), autoincrement=False, nullable=False),
        sa.Column("auto_apply", sa.Boolean(), nullable=False),
        sa.Column("min_confidence", sa.Float(), nullable=False),
        sa.Column("updated_at", sa.DateTime(timezone=True), nullable=True),
        sa.Column("updated_by", sa.String(length=64), nullable=True),
        sa.CheckConstraint("id = 1", name=op.f("ck_ai_settings_singleton")),
        sa.CheckConstraint("min_confidence BETWEEN 0 AND 1",
                           name=op.f("ck_ai_settings_min_confidence")),
        sa.PrimaryKeyConstraint("id", name=op.f("pk_ai_settings")),
    )
    # Off until a global admin turns it on.
    op.execute("INSERT INTO ai_settings (id, auto_apply, min_confidence) VALUES (1, false, 0.8)")
    # Tickets filed before triage existed will never get a ticket.created again: they show
    # `pending` (visible, not silently absent) until a refresh run triages them.
    op.execute(
        "INSERT INTO ai_triage (ticket_id, status, updated_at) "
        "SELECT id, 'pending', now() FROM tickets WHERE deleted_at IS NULL"
    )
    op.execute(inbox_table_sql())


def downgrade() -> None:
    op.drop_table("inbox")
    op.drop_table("ai_settings")
    op.drop_table("ai_triage")
