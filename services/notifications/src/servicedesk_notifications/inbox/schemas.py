"""What the inbox routes and the internal API read and write."""

from __future__ import annotations

import uuid
from datetime import datetime

from pydantic import BaseModel, ConfigDict, Field

from servicedesk_shared.types import BigId, Strict, text

UserId = text(1, 64)
Title = text(1, 200)
Body = text(max_length=10_000)
Kind = text(1, 64, pattern=r"^[a-z0-9_.\-]+$")


class SummaryTicket(BaseModel):
    id: int
    title: str


class NotificationSummary(BaseModel):
    """What a ticket's entry gathered, as data (so a client can word it in its reader's
    language; `title` and `body` are the service's English words for the same)."""

    ticket: SummaryTicket
    created: bool = Field(False, description="Filed and assigned to the recipient")
    moves: list[tuple[datetime, str, str]] = Field(
        default_factory=list,
        description="Status changes as [when, from, to], in the order they happened"
        " (the first, then the latest ten)",
    )
    assigned_by: str | None = Field(None, description="Who assigned it to the recipient")
    comments: int = Field(0, description="Public comments gathered")
    notes: int = Field(0, description="Internal notes gathered")


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
    summary: NotificationSummary | None = Field(
        description="The gathered changes as data; null for an entry that does not gather"
        " (an SLA alert, a message from another service, grouping turned off)"
    )


class NotificationPage(BaseModel):
    items: list[NotificationRead]
    total: int
    unread: int


class UnreadCount(BaseModel):
    unread: int


class NotificationCreate(Strict):
    """A notification another service asks for (POST /internal/notifications)."""

    user_id: UserId
    title: Title
    body: Body = ""
    ticket_id: BigId | None = None
    kind: Kind = "message"
