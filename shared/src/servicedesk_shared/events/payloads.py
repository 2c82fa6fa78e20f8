"""Payload models, version 1. Past-tense names: each records something that happened.

Producers build one (`TicketCreated(ticket=…)`) and hand it to their outbox, which takes
its type from `EVENTS` (`event_type`) and its `data` from `as_data`; consumers `parse` it
back. `EVENTS` is the one table of event type ↔ model: the outbox, the consumers and the
AsyncAPI document all read it.
"""

from __future__ import annotations

from datetime import datetime
from typing import Annotated, Any, Literal, TypeVar

from pydantic import (
    BaseModel,
    ConfigDict,
    Field,
    PlainSerializer,
    SerializerFunctionWrapHandler,
    model_serializer,
)

from servicedesk_shared.messaging.envelope import Envelope


class Payload(BaseModel):
    model_config = ConfigDict(frozen=True, extra="ignore", populate_by_name=True)


def _isoformat(moment: datetime) -> str:
    return moment.isoformat()


# A time written by `datetime.isoformat()` (UTC as `+00:00`), as these fields were on the
# wire before models built them; the ticket snapshot's times are pydantic's (`Z`), as the
# API writes them. The v1 wire stays byte for byte what it was.
IsoTime = Annotated[datetime, PlainSerializer(_isoformat, when_used="json")]


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
    created_at: IsoTime
    body: str | None = None

    @model_serializer(mode="wrap")
    def _no_body_on_notes(self, handler: SerializerFunctionWrapHandler) -> dict[str, Any]:
        """An internal note's event has no `body` key at all (not `null`), so nothing
        built for requesters can show one."""
        data = handler(self)
        if self.internal:
            data.pop("body", None)
        return data


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
    due_at: IsoTime | None = None
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


TYPES: dict[type[Payload], str] = {model: name for name, model in EVENTS.items()}


def event_type(payload: Payload) -> str:
    """The type (routing key) `EVENTS` gives the payload's model; anything else, a dict
    included, is a TypeError: nothing unregistered (so undocumented) reaches the outbox."""
    try:
        return TYPES[type(payload)]
    except KeyError:
        raise TypeError(f"{type(payload).__name__} is not an event payload (EVENTS)") from None


P = TypeVar("P", bound=Payload)


def as_data(payload: Payload) -> dict[str, Any]:
    """The envelope's `data`: JSON-ready and by the wire names (`from`, `to`); a dump of the
    model built once by the producer, never validated again."""
    return payload.model_dump(mode="json", by_alias=True)


def parse(envelope: Envelope) -> Payload:
    """The typed payload of an envelope; raises KeyError for an unknown type and pydantic's
    ValidationError for a payload that breaks the contract."""
    return EVENTS[envelope.type].model_validate(envelope.data)


def parse_as(envelope: Envelope, model: type[P]) -> P:
    """`parse`, for a handler that knows which payload its event carries: a payload of
    another type (a handler registered for the wrong event) is a TypeError, not a guess."""
    payload = parse(envelope)
    if not isinstance(payload, model):
        raise TypeError(f"{envelope.type} carries {type(payload).__name__}, not {model.__name__}")
    return payload
