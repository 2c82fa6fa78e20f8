"""Tickets' own directory of people, a read model of auth's users (contract §12).

The profile and the per-system roles arrive in different events, so each part carries
its own `version`/`occurred_at` (see `service.py` for the "never overwrite newer" rule).
"""

from __future__ import annotations

from datetime import datetime
from typing import Any

from sqlalchemy import BigInteger, Boolean, DateTime, false, func, text, true
from sqlalchemy.dialects.postgresql import JSONB
from sqlalchemy.orm import Mapped, mapped_column

from servicedesk_shared.db import PersonColumns
from servicedesk_tickets.database import Base


class Person(PersonColumns, Base):
    __tablename__ = "people"

    is_active: Mapped[bool] = mapped_column(Boolean, server_default=true())
    is_admin: Mapped[bool] = mapped_column(Boolean, server_default=false())
    is_superuser: Mapped[bool] = mapped_column(Boolean, server_default=false())
    systems: Mapped[dict[str, Any]] = mapped_column(JSONB, server_default=text("'{}'::jsonb"))
    version: Mapped[int | None] = mapped_column(BigInteger)
    occurred_at: Mapped[datetime | None] = mapped_column(DateTime(timezone=True))
    systems_version: Mapped[int | None] = mapped_column(BigInteger)
    systems_occurred_at: Mapped[datetime | None] = mapped_column(DateTime(timezone=True))
    updated_at: Mapped[datetime] = mapped_column(DateTime(timezone=True), server_default=func.now())
