"""One TOTP device per user: pending until confirmed, with the last time step used."""

from __future__ import annotations

import uuid
from datetime import datetime

from sqlalchemy import BigInteger, DateTime, ForeignKey
from sqlalchemy.orm import Mapped, mapped_column

from servicedesk_auth.database import Base, utcnow


class TotpDevice(Base):
    __tablename__ = "totp_devices"

    user_id: Mapped[uuid.UUID] = mapped_column(
        ForeignKey("users.id", ondelete="CASCADE"), primary_key=True
    )
    secret: Mapped[str]
    confirmed_at: Mapped[datetime | None] = mapped_column(DateTime(timezone=True))
    # RFC 6238 §5.2: a code is accepted once; a step at or below this one is a replay.
    last_used_step: Mapped[int | None] = mapped_column(BigInteger)
    created_at: Mapped[datetime] = mapped_column(DateTime(timezone=True), default=utcnow)
