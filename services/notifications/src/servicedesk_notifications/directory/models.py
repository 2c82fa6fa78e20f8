"""Who people are, as auth last announced them: name, address, roles per system.

Fed by `user.registered`, `user.updated` and `user.roles_changed`, which carry auth's
per-user `version` counter: kept per aspect (profile, roles), so an event never overwrites
what a newer one of its kind wrote (events may arrive out of order, or again), and a late
rename still applies after a newer roles change. A roles event may come before the
user's registration: the row then exists with roles only, and the name fills in later.
"""

from __future__ import annotations

from datetime import datetime

from sqlalchemy import Boolean, DateTime, Integer
from sqlalchemy.dialects.postgresql import JSONB
from sqlalchemy.orm import Mapped, mapped_column

from servicedesk_notifications.database import Base, utcnow
from servicedesk_shared.db import PersonColumns


class DirectoryEntry(PersonColumns, Base):
    __tablename__ = "user_directory"

    is_active: Mapped[bool] = mapped_column(Boolean, default=True)
    systems: Mapped[dict[str, str]] = mapped_column(JSONB, default=dict)
    profile_version: Mapped[int] = mapped_column(Integer, default=-1)
    roles_version: Mapped[int] = mapped_column(Integer, default=-1)
    updated_at: Mapped[datetime] = mapped_column(DateTime(timezone=True), default=utcnow)

    @property
    def name(self) -> str | None:
        """What a person is called in a notification's text."""
        return self.display_name or self.username
