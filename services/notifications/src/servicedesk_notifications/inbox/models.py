"""An inbox entry (`Notification`) and the changes it gathered (`NotificationChange`).

An entry about a ticket gathers that ticket's changes for its recipient while it is
`gathering`: unread, and its last change no older than the grouping window. At most one
entry per (user, ticket) gathers at a time, by a partial unique index, so two consumers
handling two events of one ticket at once cannot both open one. Every change is a row of
its own, unique on `(event_id, user_id)`: a redelivered event is never counted twice,
even past the consumer's inbox row. E-mails go one per change (`email_deliveries`).
"""

from __future__ import annotations

import uuid
from datetime import datetime
from typing import Any

from sqlalchemy import (
    BigInteger,
    Boolean,
    ForeignKey,
    Index,
    Integer,
    String,
    Text,
    UniqueConstraint,
    false,
    text,
)
from sqlalchemy.dialects.postgresql import JSONB
from sqlalchemy.orm import Mapped, mapped_column

from servicedesk_notifications.database import Base, utcnow


class Notification(Base):
    __tablename__ = "notifications"
    __table_args__ = (
        UniqueConstraint("event_id", "user_id", name="uq_notifications_event_user"),
        Index("ix_notifications_user_updated", "user_id", text("updated_at DESC"), text("id DESC")),
        Index("ix_notifications_user_unread", "user_id", postgresql_where=text("read_at IS NULL")),
        Index(
            "uq_notifications_gathering",
            "user_id",
            "ticket_id",
            unique=True,
            postgresql_where=text("gathering"),
        ),
    )

    id: Mapped[int] = mapped_column(BigInteger, primary_key=True)
    user_id: Mapped[str] = mapped_column(String(64))
    kind: Mapped[str] = mapped_column(String(64))
    ticket_id: Mapped[int | None] = mapped_column(BigInteger)
    title: Mapped[str] = mapped_column(String(200))
    body: Mapped[str] = mapped_column(Text, default="")
    # The event that opened the entry; the others are in notification_changes.
    event_id: Mapped[uuid.UUID | None]
    created_at: Mapped[datetime] = mapped_column(default=utcnow)
    updated_at: Mapped[datetime] = mapped_column(default=utcnow)
    read_at: Mapped[datetime | None]
    count: Mapped[int] = mapped_column(Integer, default=1, server_default=text("1"))
    gathering: Mapped[bool] = mapped_column(Boolean, default=False, server_default=false())
    summary: Mapped[dict[str, Any] | None] = mapped_column(JSONB)


class NotificationChange(Base):
    __tablename__ = "notification_changes"
    __table_args__ = (
        UniqueConstraint("event_id", "user_id", name="uq_notification_changes_event_user"),
    )

    id: Mapped[int] = mapped_column(BigInteger, primary_key=True)
    # The entry the change went into (written with the row, see inbox.service.record).
    notification_id: Mapped[int | None] = mapped_column(
        ForeignKey("notifications.id", ondelete="CASCADE"), index=True
    )
    user_id: Mapped[str] = mapped_column(String(64))
    event_id: Mapped[uuid.UUID | None]
    kind: Mapped[str] = mapped_column(String(64))
    title: Mapped[str] = mapped_column(String(200))
    body: Mapped[str] = mapped_column(Text, default="")
    created_at: Mapped[datetime] = mapped_column(default=utcnow)
