"""Systems and their workflows, stored as data: states and transitions with allowed roles."""

from __future__ import annotations

from datetime import datetime

from sqlalchemy import ARRAY, Boolean, DateTime, ForeignKey, Integer, String
from sqlalchemy.orm import Mapped, mapped_column

from servicedesk_tickets.database import Base, utcnow


class System(Base):
    __tablename__ = "systems"

    code: Mapped[str] = mapped_column(String(64), primary_key=True)
    name: Mapped[str] = mapped_column(String(200))
    initial_state: Mapped[str] = mapped_column(String(64))
    updated_at: Mapped[datetime] = mapped_column(DateTime(timezone=True), default=utcnow)


class WorkflowState(Base):
    __tablename__ = "workflow_states"

    system: Mapped[str] = mapped_column(
        String(64), ForeignKey("systems.code", ondelete="CASCADE"), primary_key=True
    )
    name: Mapped[str] = mapped_column(String(64), primary_key=True)
    terminal: Mapped[bool] = mapped_column(Boolean, default=False)
    pauses_sla: Mapped[bool] = mapped_column(Boolean, default=False)
    position: Mapped[int] = mapped_column(Integer, default=0)


class WorkflowTransition(Base):
    __tablename__ = "workflow_transitions"

    system: Mapped[str] = mapped_column(
        String(64), ForeignKey("systems.code", ondelete="CASCADE"), primary_key=True
    )
    from_state: Mapped[str] = mapped_column(String(64), primary_key=True)
    to_state: Mapped[str] = mapped_column(String(64), primary_key=True)
    # Minimum roles ("agent" = agent or higher) plus the pseudo-role "requester".
    roles: Mapped[list[str]] = mapped_column(ARRAY(String(32)))
