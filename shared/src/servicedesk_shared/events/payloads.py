"""Payload models, version 1. Past-tense names: each records something that happened."""

from __future__ import annotations

from datetime import datetime
from typing import Any, Literal

from pydantic import BaseModel, ConfigDict, Field

from servicedesk_shared.messaging.envelope import Envelope


class Payload(BaseModel):
    model_config = ConfigDict(frozen=True, extra="ignore", populate_by_name=True)


class TicketSnapshot(Payload):
    """The ticket as it stands after the change (the API's ticket object)."""

    id: int
    title: str
    description: str | None = None
    status: str
    priority: str
    category: str | None = None
    system: str
    requester_id: str
    assignee_id: str | None = None
    created_at: datetime
    updated_at: datetime


class FieldChange(Payload):
    old: Any = None
    new: Any = None


class TicketCreated(Payload):
    """`ticket.created`: a ticket was filed."""

    ticket: TicketSnapshot


class TicketUpdated(Payload):
    """`ticket.updated`: fields of a ticket changed (`changes` names each, old and new)."""

    ticket: TicketSnapshot
    changes: dict[str, FieldChange]


class TicketStatusChanged(Payload):
    """`ticket.status_changed`: a workflow transition was made."""

    ticket: TicketSnapshot
    from_status: str = Field(alias="from")
    to_status: str = Field(alias="to")
    changed_by: str


class TicketAssigned(Payload):
    """`ticket.assigned`: the assignee changed (None: unassigned)."""

    ticket: TicketSnapshot
    previous_assignee_id: str | None = None
    assignee_id: str | None = None
    assigned_by: str


class TicketDeleted(Payload):
    """`ticket.deleted`: a ticket was (soft) deleted."""

    ticket: TicketSnapshot


class CommentAdded(Payload):
    """`comment.added`: a comment or internal note. An internal note carries no `body`."""

    ticket: TicketSnapshot
    comment_id: int
    author_id: str
    internal: bool
    created_at: datetime
    body: str | None = None


class UserRegistered(Payload):
    """`user.registered`: someone signed up (or was created by an admin). `version` is the
    user's directory version (see `UserUpdated`); events from before it existed parse as
    version 0 with no display name (show the username)."""

    user_id: str
    username: str
    email: str
    display_name: str | None = None
    is_active: bool = True
    version: int = 0


class UserUpdated(Payload):
    """`user.updated`: the username, e-mail, display name, active flag or admin/superuser
    flags changed; the user as they now are. `version` grows with every change published
    as `user.updated` or `user.roles_changed`: an event whose version is not above the one
    a consumer holds is older news and must not overwrite it."""

    user_id: str
    username: str
    email: str
    display_name: str
    is_active: bool
    is_admin: bool
    is_superuser: bool
    version: int


class UserRolesChanged(Payload):
    """`user.roles_changed`: a user's per-system roles were replaced (`systems`: all of them
    now, `previous`: before). `version` as in `UserUpdated`; 0 in events from before it."""

    user_id: str
    actor_id: str
    systems: dict[str, str]
    previous: dict[str, str]
    version: int = 0


class SystemCreated(Payload):
    """`system.created`: a superuser added a system (auth owns systems; an addition to
    §6's list). `code` is what roles and tickets name it by; tickets gives it the default
    workflow and SLA policy."""

    code: str
    name: str
    actor_id: str


class AiTriageSuggested(Payload):
    """`ai.triage.suggested`: the model's triage of a new ticket, or why there is none."""

    ticket_id: int
    status: Literal["suggested", "failed"]
    category: str | None = None
    priority: str | None = None
    title: str | None = None
    summary: str | None = None
    confidence: float | None = None
    model: str | None = None
    possible_duplicates: list[int] = []
    error: str | None = None


class _SlaEvent(Payload):
    ticket: TicketSnapshot
    target: Literal["first_response", "resolution"]
    due_at: datetime | None = None
    elapsed_ratio: float | None = Field(None, description="Working time elapsed / target")


class TicketSlaWarning(_SlaEvent):
    """`ticket.sla.warning`: 80 % of an SLA target's working time has elapsed (once per
    target and ticket)."""


class TicketSlaBreached(_SlaEvent):
    """`ticket.sla.breached`: an SLA target's working time has run out, unmet (once per
    target and ticket)."""


EVENTS: dict[str, type[Payload]] = {
    "ticket.created": TicketCreated,
    "ticket.updated": TicketUpdated,
    "ticket.status_changed": TicketStatusChanged,
    "ticket.assigned": TicketAssigned,
    "ticket.deleted": TicketDeleted,
    "comment.added": CommentAdded,
    "user.registered": UserRegistered,
    "user.updated": UserUpdated,
    "user.roles_changed": UserRolesChanged,
    "system.created": SystemCreated,
    "ai.triage.suggested": AiTriageSuggested,
    "ticket.sla.warning": TicketSlaWarning,
    "ticket.sla.breached": TicketSlaBreached,
}


def parse(envelope: Envelope) -> Payload:
    """The typed payload of an envelope; raises KeyError for an unknown type and pydantic's
    ValidationError for a payload that breaks the contract."""
    return EVENTS[envelope.type].model_validate(envelope.data)
