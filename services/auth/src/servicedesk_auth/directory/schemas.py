"""The people directory as auth tells it to other services (the tickets backfill)."""

from __future__ import annotations

import uuid

from pydantic import BaseModel

from servicedesk_auth.users.schemas import UserCore


class DirectoryUser(UserCore):
    """A user as `user.updated` and `user.roles_changed` describe them, at `version`."""

    systems: dict[str, str]
    version: int


class DirectoryPage(BaseModel):
    """`next`: the `after` of the following page; null on the last one."""

    items: list[DirectoryUser]
    next: uuid.UUID | None
