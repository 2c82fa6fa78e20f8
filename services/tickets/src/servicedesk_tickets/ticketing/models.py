"""Tickets (soft-deleted, full-text searchable) and the Idempotency-Key ledger."""

from __future__ import annotations

from datetime import datetime
from typing import Any

from sqlalchemy import (
    BigInteger,
    CheckConstraint,
    Computed,
    DateTime,
    ForeignKey,
    Identity,
    Index,
    String,
    Text,
    text,
)
from sqlalchemy.dialects.postgresql import JSONB, TSVECTOR
from sqlalchemy.orm import Mapped, mapped_column

from servicedesk_tickets.database import Base, utcnow

PRIORITIES = ("low", "medium", "high", "urgent")
SEARCH_CONFIG = "english"
_LIVE = text("deleted_at IS NULL")
_NEWEST = text("created_at DESC")
_CHANGED = text("updated_at DESC")


class Ticket(Base):
    __tablename__ = "tickets"
    __table_args__ = (
        CheckConstraint("priority IN ('low', 'medium', 'high', 'urgent')", name="priority"),
        Index("ix_tickets_created", _NEWEST, text("id DESC"), postgresql_where=_LIVE),
        # The list's default order (`-updated_at`, migration 0008).
        Index("ix_tickets_updated", _CHANGED, text("id DESC"), postgresql_where=_LIVE),
        Index("ix_tickets_system_created", "system", _NEWEST, postgresql_where=_LIVE),
        Index("ix_tickets_requester", "requester_id", _NEWEST, postgresql_where=_LIVE),
        Index("ix_tickets_assignee", "assignee_id", postgresql_where=_LIVE),
        # `total` under the visibility filter (system IN … OR requester_id = …): index-only.
        Index("ix_tickets_visibility", "system", "requester_id", postgresql_where=_LIVE),
        Index("ix_tickets_search", "search", postgresql_using="gin"),
    )

    id: Mapped[int] = mapped_column(BigInteger, Identity(), primary_key=True)
    title: Mapped[str] = mapped_column(String(200))
    description: Mapped[str] = mapped_column(Text)
    status: Mapped[str] = mapped_column(String(64))
    priority: Mapped[str] = mapped_column(String(16), default="medium")
    category: Mapped[str | None] = mapped_column(String(100))
    system: Mapped[str] = mapped_column(String(64), ForeignKey("systems.code"))
    requester_id: Mapped[str] = mapped_column(String(64))
    assignee_id: Mapped[str | None] = mapped_column(String(64))
    created_at: Mapped[datetime] = mapped_column(DateTime(timezone=True), default=utcnow)
    updated_at: Mapped[datetime] = mapped_column(DateTime(timezone=True), default=utcnow)
    deleted_at: Mapped[datetime | None] = mapped_column(DateTime(timezone=True))
    search: Mapped[Any] = mapped_column(
        TSVECTOR,
        Computed(
            f"to_tsvector('{SEARCH_CONFIG}'::regconfig, title || ' ' || description)",
            persisted=True,
        ),
        deferred=True,
    )


class IdempotencyKey(Base):
    """One row per (user, key): the body's hash and the response first given for it."""

    __tablename__ = "idempotency_keys"

    user_id: Mapped[str] = mapped_column(String(64), primary_key=True)
    key: Mapped[str] = mapped_column(String(255), primary_key=True)
    request_hash: Mapped[str] = mapped_column(String(64))
    ticket_id: Mapped[int | None] = mapped_column(BigInteger)
    response: Mapped[dict[str, Any] | None] = mapped_column(JSONB)
    created_at: Mapped[datetime] = mapped_column(DateTime(timezone=True), default=utcnow)
