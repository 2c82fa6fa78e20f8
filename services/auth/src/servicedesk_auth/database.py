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
    """Import every model module (relationships name each other by string)."""
    from servicedesk_auth.mfa import models as _mfa  # noqa: F401
    from servicedesk_auth.outbox import models as _outbox  # noqa: F401
    from servicedesk_auth.roles import models as _roles  # noqa: F401
    from servicedesk_auth.sessions import models as _sessions  # noqa: F401
    from servicedesk_auth.users import models as _users  # noqa: F401

    return Base.metadata
