"""The wire contract of every integration event (§6): one frozen, versioned model per type.

Producers put `data` in the envelope (`servicedesk_shared.messaging.envelope`); consumers
read it with `parse(envelope)`, which ignores fields they do not know (a producer may add
fields within a version; removing or changing one needs a new version). The AsyncAPI
document in docs/asyncapi.yaml is generated from these models (`python -m
servicedesk_shared.events.asyncapi`) and a test keeps it true.
"""

from servicedesk_shared.events.payloads import (
    EVENTS,
    AiTriageSuggested,
    CommentAdded,
    SystemCreated,
    TicketAssigned,
    TicketCreated,
    TicketDeleted,
    TicketSlaBreached,
    TicketSlaWarning,
    TicketSnapshot,
    TicketStatusChanged,
    TicketUpdated,
    UserRegistered,
    UserRolesChanged,
    UserUpdated,
    parse,
)

__all__ = [
    "EVENTS",
    "AiTriageSuggested",
    "CommentAdded",
    "SystemCreated",
    "TicketAssigned",
    "TicketCreated",
    "TicketDeleted",
    "TicketSlaBreached",
    "TicketSlaWarning",
    "TicketSnapshot",
    "TicketStatusChanged",
    "TicketUpdated",
    "UserRegistered",
    "UserRolesChanged",
    "UserUpdated",
    "parse",
]
