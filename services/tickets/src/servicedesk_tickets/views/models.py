"""Saved views: a name, the list's filters and a sort, private to their owner or shared
with one system (`system` is then the view's `filters.system`)."""

from __future__ import annotations

from datetime import datetime
from typing import Any

from sqlalchemy import BigInteger, Boolean, DateTime, Identity, Index, String, text
from sqlalchemy.dialects.postgresql import JSONB
from sqlalchemy.orm import Mapped, mapped_column

from servicedesk_tickets.database import Base, utcnow


class View(Base):
    __tablename__ = "views"
    __table_args__ = (
        Index("ix_views_owner", "owner_id"),
        Index("ix_views_shared_system", "system", postgresql_where=text("shared")),
    )

    id: Mapped[int] = mapped_column(BigInteger, Identity(), primary_key=True)
    owner_id: Mapped[str] = mapped_column(String(64))
    name: Mapped[str] = mapped_column(String(100))
    filters: Mapped[dict[str, Any]] = mapped_column(JSONB)
    sort: Mapped[str | None] = mapped_column(String(32))
    shared: Mapped[bool] = mapped_column(Boolean, default=False)
    system: Mapped[str | None] = mapped_column(String(64))
    created_at: Mapped[datetime] = mapped_column(DateTime(timezone=True), default=utcnow)
    updated_at: Mapped[datetime] = mapped_column(DateTime(timezone=True), default=utcnow)
