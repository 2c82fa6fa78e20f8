"""Systems (data, not code), each user's role per system, and the audit of role changes."""

from __future__ import annotations

import uuid
from datetime import datetime
from typing import Any

from sqlalchemy import BigInteger, CheckConstraint, DateTime, ForeignKey, String
from sqlalchemy.dialects.postgresql import JSONB
from sqlalchemy.orm import Mapped, mapped_column

from servicedesk_auth.database import Base, utcnow

SYSTEM_ROLES = ("user", "agent", "manager", "admin")


class System(Base):
    __tablename__ = "systems"

    name: Mapped[str] = mapped_column(String(64), primary_key=True)
    description: Mapped[str] = mapped_column(default="")
    created_at: Mapped[datetime] = mapped_column(DateTime(timezone=True), default=utcnow)


class SystemRole(Base):
    __tablename__ = "user_system_roles"
    __table_args__ = (CheckConstraint("role IN ('user', 'agent', 'manager', 'admin')", "role"),)

    user_id: Mapped[uuid.UUID] = mapped_column(
        ForeignKey("users.id", ondelete="CASCADE"), primary_key=True
    )
    system: Mapped[str] = mapped_column(
        ForeignKey("systems.name", ondelete="CASCADE"), primary_key=True
    )
    role: Mapped[str] = mapped_column(String(16))


class RoleChange(Base):
    """Append-only audit: who changed whose roles, from what to what, in which request."""

    __tablename__ = "role_changes"

    id: Mapped[int] = mapped_column(BigInteger, primary_key=True, autoincrement=True)
    actor_id: Mapped[uuid.UUID]
    target_id: Mapped[uuid.UUID] = mapped_column(index=True)
    old: Mapped[dict[str, Any]] = mapped_column(JSONB)
    new: Mapped[dict[str, Any]] = mapped_column(JSONB)
    request_id: Mapped[str | None]
    at: Mapped[datetime] = mapped_column(DateTime(timezone=True), default=utcnow)
