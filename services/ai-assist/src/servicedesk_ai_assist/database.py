"""The declarative base every model shares, and one import that registers every model."""

from __future__ import annotations

from sqlalchemy import MetaData
from sqlalchemy.orm import DeclarativeBase

NAMING = {
    "ix": "ix_%(column_0_label)s",
    "uq": "uq_%(table_name)s_%(column_0_name)s",
    "pk": "pk_%(table_name)s",
}


class Base(DeclarativeBase):
    metadata = MetaData(naming_convention=NAMING)


def load_models() -> MetaData:
    """Import every model module so the metadata knows every table."""
    from servicedesk_ai_assist.outbox import models as _outbox  # noqa: F401

    return Base.metadata
