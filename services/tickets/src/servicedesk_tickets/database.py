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
MAX_BIGINT = 2**63 - 1


class Base(DeclarativeBase):
    metadata = MetaData(naming_convention=NAMING)


def utcnow() -> datetime:
    return datetime.now(UTC)


def load_models() -> MetaData:
    """Import every model module (relationships name each other by string)."""
    from servicedesk_tickets.ai_settings import models as _ai_settings  # noqa: F401
    from servicedesk_tickets.attachments import models as _attachments  # noqa: F401
    from servicedesk_tickets.audit import models as _audit  # noqa: F401
    from servicedesk_tickets.comments import models as _comments  # noqa: F401
    from servicedesk_tickets.outbox import models as _outbox  # noqa: F401
    from servicedesk_tickets.people import models as _people  # noqa: F401
    from servicedesk_tickets.sla import models as _sla  # noqa: F401
    from servicedesk_tickets.tickets import models as _tickets  # noqa: F401
    from servicedesk_tickets.triage import models as _triage  # noqa: F401
    from servicedesk_tickets.views import models as _views  # noqa: F401
    from servicedesk_tickets.workflows import models as _workflows  # noqa: F401

    return Base.metadata
