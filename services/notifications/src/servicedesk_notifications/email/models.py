"""One e-mail for one change of an inbox entry (unique per change), with its delivery state."""

from __future__ import annotations

from datetime import datetime

from sqlalchemy import BigInteger, ForeignKey, String, Text
from sqlalchemy.orm import Mapped, mapped_column

from servicedesk_notifications.database import Base, Outgoing, due_index, utcnow


class EmailDelivery(Outgoing, Base):
    """`status`: pending|sent|failed."""

    __tablename__ = "email_deliveries"
    __table_args__ = (due_index(__tablename__),)

    id: Mapped[int] = mapped_column(BigInteger, primary_key=True)
    notification_id: Mapped[int] = mapped_column(
        ForeignKey("notifications.id", ondelete="CASCADE"), index=True
    )
    change_id: Mapped[int] = mapped_column(
        ForeignKey("notification_changes.id", ondelete="CASCADE"), unique=True
    )
    recipient: Mapped[str] = mapped_column(String(320))
    subject: Mapped[str] = mapped_column(String(300))
    body: Mapped[str] = mapped_column(Text)
    sent_at: Mapped[datetime | None]
    created_at: Mapped[datetime] = mapped_column(default=utcnow)
