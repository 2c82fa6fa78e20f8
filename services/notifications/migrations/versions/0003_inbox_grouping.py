"""inbox grouping: entries gather a ticket's burst of changes; one row per change

Revision ID: 0003
Revises: 0002
Create Date: 2026-12-03 23:00:00
"""

from collections.abc import Sequence

import sqlalchemy as sa
from alembic import op
from sqlalchemy.dialects import postgresql

revision: str = "0003"
down_revision: str | None = "0002"
branch_labels: str | Sequence[str] | None = None
depends_on: str | Sequence[str] | None = None


def upgrade() -> None:
    op.create_table(
        "notification_changes",
        sa.Column("id", sa.BigInteger(), nullable=False),
        sa.Column("notification_id", sa.BigInteger(), nullable=True),
        sa.Column("user_id", sa.String(length=64), nullable=False),
        sa.Column("event_id", sa.Uuid(), nullable=True),
        sa.Column("kind", sa.String(length=64), nullable=False),
        sa.Column("title", sa.String(length=200), nullable=False),
        sa.Column("body", sa.Text(), nullable=False),
        sa.Column("created_at", sa.DateTime(timezone=True), nullable=False),
        sa.ForeignKeyConstraint(
            ["notification_id"], ["notifications.id"],
            name=op.f("fk_notification_changes_notification_id_notifications"),
            ondelete="CASCADE",
        ),
        sa.PrimaryKeyConstraint("id", name=op.f("pk_notification_changes")),
        sa.UniqueConstraint("event_id", "user_id", name="uq_notification_changes_event_user"),
    )
    op.create_index(
        op.f("ix_notification_changes_notification_id"),
        "notification_changes",
        ["notification_id"],
    )
    # Every existing notification was one change: the change keeps its id, so its e-mail
    # (keyed by notification until now) finds its change by the same number.
    op.execute(
        "INSERT INTO notification_changes"
        " (id, notification_id, user_id, event_id, kind, title, body, created_at)"
        " SELECT id, id, user_id, event_id, kind, title, body, created_at FROM notifications"
    )
    op.execute(
        "SELECT setval(pg_get_serial_sequence('notification_changes', 'id'),"
        " (SELECT coalesce(max(id), 0) + 1 FROM notification_changes), false)"
    )

    op.add_column("notifications", sa.Column("updated_at", sa.DateTime(timezone=True)))
    op.execute("UPDATE notifications SET updated_at = created_at")
    op.alter_column("notifications", "updated_at", nullable=False)
    op.add_column(
        "notifications",
        sa.Column("count", sa.Integer(), nullable=False, server_default=sa.text("1")),
    )
    # Old entries gather nothing: grouping starts with the next change.
    op.add_column(
        "notifications",
        sa.Column("gathering", sa.Boolean(), nullable=False, server_default=sa.false()),
    )
    op.add_column("notifications", sa.Column("summary", postgresql.JSONB(), nullable=True))
    op.create_index(
        "uq_notifications_gathering",
        "notifications",
        ["user_id", "ticket_id"],
        unique=True,
        postgresql_where=sa.text("gathering"),
    )
    # The inbox lists the most recently changed entries first.
    op.create_index(
        "ix_notifications_user_updated",
        "notifications",
        ["user_id", sa.literal_column("updated_at DESC"), sa.literal_column("id DESC")],
    )
    op.drop_index("ix_notifications_user_newest", table_name="notifications")

    # E-mails: one per change (a grouped entry has several), not one per entry.
    op.add_column("email_deliveries", sa.Column("change_id", sa.BigInteger(), nullable=True))
    op.execute("UPDATE email_deliveries SET change_id = notification_id")
    op.alter_column("email_deliveries", "change_id", nullable=False)
    op.create_foreign_key(
        op.f("fk_email_deliveries_change_id_notification_changes"),
        "email_deliveries", "notification_changes", ["change_id"], ["id"], ondelete="CASCADE",
    )
    op.create_unique_constraint(
        op.f("uq_email_deliveries_change_id"), "email_deliveries", ["change_id"]
    )
    op.drop_constraint(
        op.f("uq_email_deliveries_notification_id"), "email_deliveries", type_="unique"
    )
    op.create_index(
        op.f("ix_email_deliveries_notification_id"), "email_deliveries", ["notification_id"]
    )


def downgrade() -> None:
    # Lossy: a grouped entry stays one notification (with its summary text), and only the
    # first e-mail of each entry survives the unique constraint coming back.
    op.drop_index(op.f("ix_email_deliveries_notification_id"), table_name="email_deliveries")
    op.execute(
        "DELETE FROM email_deliveries e USING email_deliveries f"
        " WHERE e.notification_id = f.notification_id AND e.id > f.id"
    )
    op.create_unique_constraint(
        op.f("uq_email_deliveries_notification_id"), "email_deliveries", ["notification_id"]
    )
    op.drop_constraint(
        op.f("uq_email_deliveries_change_id"), "email_deliveries", type_="unique"
    )
    op.drop_constraint(
        op.f("fk_email_deliveries_change_id_notification_changes"),
        "email_deliveries",
        type_="foreignkey",
    )
    op.drop_column("email_deliveries", "change_id")
    op.create_index(
        "ix_notifications_user_newest", "notifications", ["user_id", sa.literal_column("id DESC")]
    )
    op.drop_index("ix_notifications_user_updated", table_name="notifications")
    op.drop_index("uq_notifications_gathering", table_name="notifications")
    for column in ("summary", "gathering", "count", "updated_at"):
        op.drop_column("notifications", column)
    op.drop_index(
        op.f("ix_notification_changes_notification_id"), table_name="notification_changes"
    )
    op.drop_table("notification_changes")
