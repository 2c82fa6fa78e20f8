"""The people directory as auth tells it to other services (the tickets backfill)."""

from __future__ import annotations

import uuid

from pydantic import BaseModel, ConfigDict


class DirectoryUser(BaseModel):
    """A user as `user.updated` and `user.roles_changed` describe them, at `version`."""

    model_config = ConfigDict(from_attributes=True)

    id: uuid.UUID
    username: str
    email: str
    display_name: str
    is_active: bool
    is_admin: bool
    is_superuser: bool
    systems: dict[str, str]
    version: int


class DirectoryPage(BaseModel):
    """`next`: the `after` of the following page; null on the last one."""

    items: list[DirectoryUser]
    next: uuid.UUID | None
