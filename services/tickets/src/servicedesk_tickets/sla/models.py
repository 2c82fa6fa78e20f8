"""SLA policies per system, each ticket's derived clocks (for lists and filters), and the
due-time index the scheduler polls."""

from __future__ import annotations

from datetime import datetime
from typing import Any

from sqlalchemy import BigInteger, Boolean, DateTime, ForeignKey, Index, Integer, String, text
from sqlalchemy.dialects.postgresql import JSONB
from sqlalchemy.orm import Mapped, mapped_column

from servicedesk_tickets.database import Base, utcnow

Stamp = DateTime(timezone=True)


class SlaPolicy(Base):
    __tablename__ = "sla_policies"

    system: Mapped[str] = mapped_column(
        String(64), ForeignKey("systems.code", ondelete="CASCADE"), primary_key=True
    )
    calendar: Mapped[dict[str, Any]] = mapped_column(JSONB)
    targets: Mapped[dict[str, Any]] = mapped_column(JSONB)
    updated_at: Mapped[datetime] = mapped_column(Stamp, default=utcnow)
    updated_by: Mapped[str | None] = mapped_column(String(64))


class TicketSla(Base):
    """A cache of `clock.clocks(...)`, rewritten in the transaction of every change; the
    history stays the source of truth. `next_due_at`: the nearest unmet due time."""

    __tablename__ = "ticket_sla"
    __table_args__ = (Index("ix_ticket_sla_next_due", "next_due_at"),)

    ticket_id: Mapped[int] = mapped_column(
        BigInteger, ForeignKey("tickets.id", ondelete="CASCADE"), primary_key=True
    )
    first_response_due_at: Mapped[datetime | None] = mapped_column(Stamp)
    first_response_warn_at: Mapped[datetime | None] = mapped_column(Stamp)
    first_response_met_at: Mapped[datetime | None] = mapped_column(Stamp)
    first_response_remaining: Mapped[int | None] = mapped_column(Integer)
    resolution_due_at: Mapped[datetime | None] = mapped_column(Stamp)
    resolution_warn_at: Mapped[datetime | None] = mapped_column(Stamp)
    resolution_met_at: Mapped[datetime | None] = mapped_column(Stamp)
    resolution_remaining: Mapped[int | None] = mapped_column(Integer)
    paused: Mapped[bool] = mapped_column(Boolean, default=False)
    next_due_at: Mapped[datetime | None] = mapped_column(Stamp)


class SlaDeadline(Base):
    """One row per (ticket, target, kind): the primary key makes each event once-only."""

    __tablename__ = "sla_deadlines"
    __table_args__ = (
        Index("ix_sla_deadlines_due", "due_at", postgresql_where=text("emitted_at IS NULL")),
    )

    ticket_id: Mapped[int] = mapped_column(
        BigInteger, ForeignKey("tickets.id", ondelete="CASCADE"), primary_key=True
    )
    target: Mapped[str] = mapped_column(String(16), primary_key=True)
    kind: Mapped[str] = mapped_column(String(8), primary_key=True)  # warning | breach
    due_at: Mapped[datetime] = mapped_column(Stamp)
    emitted_at: Mapped[datetime | None] = mapped_column(Stamp)
