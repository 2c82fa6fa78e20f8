"""Ticket request and response bodies. Request bodies forbid unknown fields (422): a
client can never set `id`, `status`, `requester_id` or timestamps by sending them."""

from __future__ import annotations

from datetime import datetime
from typing import Literal

from pydantic import BaseModel, ConfigDict, Field, model_validator

from servicedesk_shared.types import Limit, Offset, text
from servicedesk_tickets.people.schemas import PersonRef
from servicedesk_tickets.sla.schemas import SlaRead
from servicedesk_tickets.text import Name, Title
from servicedesk_tickets.triage.schemas import TriageRead

Priority = Literal["low", "medium", "high", "urgent"]
Category = text(1, 100)
Description = text(1, 20_000)
Query = text(1, 200)


class TicketCreate(BaseModel):
    model_config = ConfigDict(extra="forbid")

    title: Title
    description: Description
    priority: Priority = "medium"
    category: Category | None = None
    system: Name | None = Field(None, description="Defaults to TTS")


class TicketUpdate(BaseModel):
    """Only the fields sent are changed; `assignee_id: null` unassigns."""

    model_config = ConfigDict(extra="forbid")

    title: Title | None = None
    description: Description | None = None
    priority: Priority | None = None
    category: Category | None = None
    assignee_id: Name | None = None

    @model_validator(mode="after")
    def _required_stay_set(self) -> TicketUpdate:
        for name in ("title", "description", "priority"):
            if name in self.model_fields_set and getattr(self, name) is None:
                raise ValueError(f"{name} cannot be null")
        return self


class TicketRead(BaseModel):
    model_config = ConfigDict(from_attributes=True)

    id: int
    title: str
    description: str
    status: str
    priority: Priority
    category: str | None
    system: str
    requester_id: str
    assignee_id: str | None
    created_at: datetime
    updated_at: datetime


class TicketListItem(TicketRead):
    """A ticket as the API shows it: its people beside their ids (contract §12; the events'
    ticket snapshot, `TicketRead`, has the ids only)."""

    requester: PersonRef | None = None
    assignee: PersonRef | None = None
    sla: SlaRead | None = None


class TicketDetail(TicketListItem):
    """One ticket as its own routes return it: with its AI triage (`null` for tickets
    filed before triage existed). The list leaves it out."""

    ai_triage: TriageRead | None


class TicketPage(BaseModel):
    items: list[TicketListItem]
    total: int


class TicketFilters(BaseModel):
    """Filters shared by the list and the CSV export."""

    status: Name | None = None
    priority: Priority | None = None
    assignee_id: Name | None = None
    system: Name | None = None
    q: Query | None = Field(
        None, description="Full-text search over title and description (web-search syntax)"
    )
    sla: Literal["breached", "at_risk"] | None = Field(
        None, description="A clock breached, or at risk (80 % of a target elapsed, not met)"
    )


class TicketListParams(TicketFilters):
    limit: Limit = 50
    offset: Offset = 0
    sort: Literal["sla_due"] | None = Field(
        None, description="`sla_due`: nearest unmet SLA due time first (default: newest first)"
    )


class TransitionRequest(BaseModel):
    model_config = ConfigDict(extra="forbid")

    to: Name
