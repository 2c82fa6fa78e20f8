"""The declarative base every model shares, and one import that registers every model.
Naming and `utcnow` are the kit's (servicedesk_shared.db)."""

from __future__ import annotations

from sqlalchemy import MetaData
from sqlalchemy.orm import DeclarativeBase

from servicedesk_shared.db import new_metadata
from servicedesk_shared.db import utcnow as utcnow  # re-exported: models and services use it


class Base(DeclarativeBase):
    metadata = new_metadata()


def load_models() -> MetaData:
    """Import every model module so the metadata knows every table."""
    from servicedesk_notifications.directory import models as _directory  # noqa: F401
    from servicedesk_notifications.email import models as _email  # noqa: F401
    from servicedesk_notifications.inbox import models as _inbox  # noqa: F401
    from servicedesk_notifications.webhooks import models as _webhooks  # noqa: F401

    return Base.metadata
