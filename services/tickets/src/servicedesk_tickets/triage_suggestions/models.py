"""The AI triage of each ticket: one row per ticket, `pending` from its creation on."""

from __future__ import annotations

import uuid
from datetime import datetime

from sqlalchemy import BigInteger, CheckConstraint, DateTime, Float, ForeignKey, String, Text, text
from sqlalchemy.dialects.postgresql import ARRAY
from sqlalchemy.orm import Mapped, mapped_column

from servicedesk_tickets.database import Base, utcnow

STATUSES = ("pending", "suggested", "failed")


class AiTriage(Base):
    """The triage shown on a ticket. `event_id`/`occurred_at` name the event it came from
    (NULL while pending); a later event replaces it only if it ranks higher (service.py)."""

    __tablename__ = "ai_triage"
    __table_args__ = (
        CheckConstraint("status IN ('pending', 'suggested', 'failed')", name="status"),
    )

    ticket_id: Mapped[int] = mapped_column(
        BigInteger, ForeignKey("tickets.id", ondelete="CASCADE"), primary_key=True
    )
    status: Mapped[str] = mapped_column(String(16))
    category: Mapped[str | None] = mapped_column(String(100))
    priority: Mapped[str | None] = mapped_column(String(16))
    title: Mapped[str | None] = mapped_column(String(200))
    summary: Mapped[str | None] = mapped_column(Text)
    confidence: Mapped[float | None] = mapped_column(Float)
    model: Mapped[str | None] = mapped_column(String(200))
    possible_duplicates: Mapped[list[int]] = mapped_column(
        ARRAY(BigInteger), default=list, server_default=text("'{}'")
    )
    error: Mapped[str | None] = mapped_column(Text)
    # Fields auto-apply copied onto the ticket from this suggestion (empty: none).
    applied: Mapped[list[str]] = mapped_column(
        ARRAY(String(32)), default=list, server_default=text("'{}'")
    )
    event_id: Mapped[uuid.UUID | None] = mapped_column()
    occurred_at: Mapped[datetime | None] = mapped_column(DateTime(timezone=True))
    updated_at: Mapped[datetime] = mapped_column(DateTime(timezone=True), default=utcnow)
