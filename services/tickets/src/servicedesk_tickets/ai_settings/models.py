"""The global AI settings: one row (id 1), seeded by the migration with auto-apply off."""

from __future__ import annotations

from datetime import datetime

from sqlalchemy import Boolean, CheckConstraint, DateTime, Float, SmallInteger, String
from sqlalchemy.orm import Mapped, mapped_column

from servicedesk_tickets.database import Base

SINGLETON = 1


class AiSettings(Base):
    __tablename__ = "ai_settings"
    __table_args__ = (
        CheckConstraint("id = 1", name="singleton"),
        CheckConstraint("min_confidence BETWEEN 0 AND 1", name="min_confidence"),
    )

    id: Mapped[int] = mapped_column(SmallInteger, primary_key=True, autoincrement=False)
    auto_apply: Mapped[bool] = mapped_column(Boolean, default=False)
    min_confidence: Mapped[float] = mapped_column(Float, default=0.8)
    updated_at: Mapped[datetime | None] = mapped_column(DateTime(timezone=True))
    updated_by: Mapped[str | None] = mapped_column(String(64))
