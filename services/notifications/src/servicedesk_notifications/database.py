"""The declarative base every model shares, and one import that registers every model."""

from __future__ import annotations

from datetime import UTC, datetime

from sqlalchemy import MetaData
from sqlalchemy.orm import DeclarativeBase

NAMING = {
    "ix": "ix_%(column_0_label)s",
    "uq": "uq_%(table_name)s_%(column_0_name)s",
    "ck": "ck_%(table_name)s_%(constraint_name)s",
    "fk": "fk_%(table_name)s_%(column_0_name)s_%(referred_table_name)s",
    "pk": "pk_%(table_name)s",
}


class Base(DeclarativeBase):
    metadata = MetaData(naming_convention=NAMING)


def utcnow() -> datetime:
    return datetime.now(UTC)


def load_models() -> MetaData:
    """Import every model module so the metadata knows every table."""
    from servicedesk_notifications.directory import models as _directory  # noqa: F401
    from servicedesk_notifications.email import models as _email  # noqa: F401
    from servicedesk_notifications.inbox import models as _inbox  # noqa: F401
    from servicedesk_notifications.webhooks import models as _webhooks  # noqa: F401

    return Base.metadata
