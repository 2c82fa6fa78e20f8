"""What the inbox routes and the internal API read and write."""

from __future__ import annotations

import uuid
from datetime import datetime

from pydantic import BaseModel, ConfigDict, Field


class NotificationRead(BaseModel):
    model_config = ConfigDict(from_attributes=True)

    id: int
    kind: str
    ticket_id: int | None
    title: str
    body: str
    event_id: uuid.UUID | None
    created_at: datetime
    read_at: datetime | None


class NotificationPage(BaseModel):
    items: list[NotificationRead]
    total: int
    unread: int


class UnreadCount(BaseModel):
    unread: int


class NotificationCreate(BaseModel):
    """A notification another service asks for (POST /internal/notifications)."""

    model_config = ConfigDict(extra="forbid")

    user_id: str = Field(min_length=1, max_length=64)
    title: str = Field(min_length=1, max_length=200)
    body: str = Field("", max_length=10_000)
    ticket_id: int | None = Field(None, ge=1, le=2**63 - 1)
    kind: str = Field("message", min_length=1, max_length=64, pattern=r"^[a-z0-9_.\-]+$")
