"""The declarative base every model shares, and one import that registers every model.
Naming and `utcnow` are the kit's (servicedesk_shared.db)."""

from __future__ import annotations

from sqlalchemy import MetaData
from sqlalchemy.orm import DeclarativeBase

from servicedesk_shared.db import new_metadata
from servicedesk_shared.db import utcnow as utcnow  # re-exported: models and services use it

MAX_BIGINT = 2**63 - 1


class Base(DeclarativeBase):
    metadata = new_metadata()


def load_models() -> MetaData:
    """Import every model module (relationships name each other by string)."""
    from servicedesk_tickets.ai_settings import models as _ai_settings  # noqa: F401
    from servicedesk_tickets.attachments import models as _attachments  # noqa: F401
    from servicedesk_tickets.audit import models as _audit  # noqa: F401
    from servicedesk_tickets.comments import models as _comments  # noqa: F401
    from servicedesk_tickets.outbox import models as _outbox  # noqa: F401
    from servicedesk_tickets.people import models as _people  # noqa: F401
    from servicedesk_tickets.sla import models as _sla  # noqa: F401
    from servicedesk_tickets.ticketing import models as _tickets  # noqa: F401
    from servicedesk_tickets.triage_suggestions import models as _triage  # noqa: F401
    from servicedesk_tickets.views import models as _views  # noqa: F401
    from servicedesk_tickets.workflows import models as _workflows  # noqa: F401

    return Base.metadata
