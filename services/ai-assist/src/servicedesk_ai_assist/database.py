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
    from servicedesk_ai_assist.outbox import models as _outbox  # noqa: F401

    return Base.metadata
