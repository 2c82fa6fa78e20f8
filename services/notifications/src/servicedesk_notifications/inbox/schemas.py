"""What the inbox routes and the internal API read and write."""

from __future__ import annotations

import uuid
from datetime import datetime

from pydantic import BaseModel, ConfigDict, Field

from servicedesk_shared.types import BigId, text

UserId = text(1, 64)
Title = text(1, 200)
Body = text(max_length=10_000)
Kind = text(1, 64, pattern=r"^[a-z0-9_.\-]+$")


class NotificationRead(BaseModel):
    """An inbox entry: one change, or a ticket's burst of changes gathered into one."""

    model_config = ConfigDict(from_attributes=True)

    id: int
    kind: str = Field(description="The event type that opened the entry")
    ticket_id: int | None
    title: str
    body: str
    event_id: uuid.UUID | None = Field(description="The event that opened the entry")
    created_at: datetime
    read_at: datetime | None
    updated_at: datetime = Field(description="When the entry last gathered a change")
    count: int = Field(description="How many changes the entry gathered (1: a single one)")


class NotificationPage(BaseModel):
    items: list[NotificationRead]
    total: int
    unread: int


class UnreadCount(BaseModel):
    unread: int


class NotificationCreate(BaseModel):
    """A notification another service asks for (POST /internal/notifications)."""

    model_config = ConfigDict(extra="forbid")

    user_id: UserId
    title: Title
    body: Body = ""
    ticket_id: BigId | None = None
    kind: Kind = "message"
