"""The declarative base every model shares, the state every sender's row keeps, and one
import that registers every model. Naming and `utcnow` are the kit's (servicedesk_shared.db)."""

from __future__ import annotations

from datetime import datetime

from sqlalchemy import DateTime, Index, Integer, MetaData, String, Text, text
from sqlalchemy.orm import DeclarativeBase, Mapped, mapped_column

from servicedesk_shared.db import new_metadata
from servicedesk_shared.db import utcnow as utcnow  # re-exported: models and services use it


class Base(DeclarativeBase):
    metadata = new_metadata()
    type_annotation_map = {datetime: DateTime(timezone=True)}  # every time is UTC-aware


class Outgoing:
    """A row a background sender works through (`worker.retry_or_fail`): `pending` until
    it is sent, or `failed` after its last attempt; the last error kept for inspection."""

    status: Mapped[str] = mapped_column(String(16), default="pending")
    attempts: Mapped[int] = mapped_column(Integer, default=0)
    next_attempt_at: Mapped[datetime] = mapped_column(default=utcnow)
    last_error: Mapped[str | None] = mapped_column(Text)


def due_index(table: str) -> Index:
    """The index a sender claims its table's due rows by."""
    return Index(f"ix_{table}_due", "next_attempt_at", postgresql_where=text("status = 'pending'"))


def load_models() -> MetaData:
    """Import every model module so the metadata knows every table."""
    from servicedesk_notifications.directory import models as _directory  # noqa: F401
    from servicedesk_notifications.email import models as _email  # noqa: F401
    from servicedesk_notifications.inbox import models as _inbox  # noqa: F401
    from servicedesk_notifications.webhooks import models as _webhooks  # noqa: F401

    return Base.metadata
