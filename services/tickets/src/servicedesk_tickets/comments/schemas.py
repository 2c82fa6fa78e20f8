"""Comment bodies: `internal` marks a note for staff only."""

from __future__ import annotations

from datetime import datetime

from pydantic import BaseModel, ConfigDict

from servicedesk_shared.types import Strict
from servicedesk_tickets.people.schemas import PersonRef
from servicedesk_tickets.text import Body


class CommentCreate(Strict):
    body: Body
    internal: bool = False


class CommentRead(BaseModel):
    model_config = ConfigDict(from_attributes=True)

    id: int
    ticket_id: int
    author_id: str
    author_name: str
    author: PersonRef | None = None
    body: str
    internal: bool
    created_at: datetime
