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
    """Import every model module (relationships name each other by string)."""
    from servicedesk_auth.mfa import models as _mfa  # noqa: F401
    from servicedesk_auth.outbox import models as _outbox  # noqa: F401
    from servicedesk_auth.roles import models as _roles  # noqa: F401
    from servicedesk_auth.sessions import models as _sessions  # noqa: F401
    from servicedesk_auth.users import models as _users  # noqa: F401

    return Base.metadata
