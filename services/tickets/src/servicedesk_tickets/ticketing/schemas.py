"""Ticket request and response bodies. Request bodies forbid unknown fields (422): a
client can never set `id`, `status`, `requester_id` or timestamps by sending them."""

from __future__ import annotations

from datetime import datetime
from typing import Annotated, Literal

from pydantic import BaseModel, ConfigDict, Field, model_validator

from servicedesk_shared.types import (
    BigId,
    Limit,
    Offset,
    Omittable,
    Patch,
    Strict,
    known_sort,
    text,
)
from servicedesk_tickets.people.schemas import PersonRef
from servicedesk_tickets.sla.schemas import SlaRead
from servicedesk_tickets.text import Name, Title
from servicedesk_tickets.triage_suggestions.schemas import TriageRead

Priority = Literal["low", "medium", "high", "urgent"]
Category = text(1, 100)
Description = text(1, 20_000)
Query = text(1, 200)


class TicketCreate(Strict):
    title: Title
    description: Description
    priority: Priority = "medium"
    category: Category | None = None
    system: Name | None = Field(None, description="Defaults to TTS")


class TicketUpdate(Patch):
    """Only the fields sent are changed; `assignee_id: null` unassigns."""

    title: Omittable[Title] = None
    description: Omittable[Description] = None
    priority: Omittable[Priority] = None
    category: Category | None = None
    assignee_id: Name | None = None


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


SORT_KEYS = ("created_at", "updated_at", "priority", "status", "sla_due")
DEFAULT_SORT = "-updated_at"
SortKey = Literal[
    "created_at",
    "-created_at",
    "updated_at",
    "-updated_at",
    "priority",
    "-priority",
    "status",
    "-status",
    "sla_due",
    "-sla_due",
]
Sort = Annotated[
    SortKey,
    known_sort(SORT_KEYS),
    Field(
        description="`created_at`, `updated_at`, `priority` (by rank, low < medium < high < "
        "urgent), `status` (by the workflow's order of states), `sla_due` (nearest unmet "
        "due time first); `-` before a key sorts descending. Ties by id."
    ),
]


class TicketFilters(BaseModel):
    """Filters shared by the list, the CSV export and saved views."""

    status: Name | None = None
    priority: Priority | None = None
    assignee_id: Name | None = None
    assignee: Name | None = Field(
        None, description="`me` (the caller), `none` (unassigned), or a user id"
    )
    requester: Name | None = Field(None, description="The requester's user id")
    system: Name | None = None
    active: bool | None = Field(
        None, description="true: only tickets not in a terminal state; false: only those in one"
    )
    q: Query | None = Field(
        None, description="Full-text search over title and description (web-search syntax)"
    )
    sla: Literal["breached", "at_risk"] | None = Field(
        None, description="A clock breached, or at risk (80 % of a target elapsed, not met)"
    )


class TicketListParams(TicketFilters):
    """The list's query: unknown parameters are refused (422 naming each)."""

    model_config = ConfigDict(extra="forbid")

    limit: Limit = 50
    offset: Offset = 0
    sort: Sort = DEFAULT_SORT


class TransitionRequest(Strict):
    to: Name


class BulkAction(Strict):
    """Exactly one of: `assign` (a user id, or null to unassign), `transition` (a state),
    `priority`."""

    assign: Name | None = Field(None, description="Assign to this user id; null unassigns")
    transition: Omittable[Name] = Field(None, description="Move to this workflow state")
    priority: Omittable[Priority] = None

    @model_validator(mode="after")
    def _exactly_one(self) -> BulkAction:
        if len(self.model_fields_set) != 1:
            raise ValueError("give exactly one of: assign, transition, priority")
        return self


class BulkRequest(Strict):
    ids: list[BigId] = Field(
        min_length=1, max_length=100, description="Up to 100 ticket ids; duplicates count once"
    )
    action: BulkAction


class BulkResult(BaseModel):
    id: int
    ok: bool
    code: str | None = Field(None, description="Why not (absent when ok): the error's code")
    detail: str | None = None


class BulkResponse(BaseModel):
    results: list[BulkResult]
