"""The wire contract of every integration event (§6): one frozen, versioned model per type.

Producers build the model and hand it to their outbox (`messaging.outbox.add_event`), which
derives the type (`event_type`, from `EVENTS`) and `data` (`as_data`); consumers read it
with `parse(envelope)`, which ignores fields they do not know (a producer may add
fields within a version; removing or changing one needs a new version). The AsyncAPI
document in docs/asyncapi.yaml is generated from these models (`python -m
servicedesk_shared.events.asyncapi`); shared/tests/test_asyncapi.py keeps it true, and
test_event_producers.py keeps every producer on the models (read from their source).
"""

from servicedesk_shared.events.payloads import (
    EVENTS,
    AiTriageSuggested,
    CommentAdded,
    FieldChange,
    Payload,
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
    as_data,
    event_type,
    parse,
    parse_as,
)

__all__ = [
    "EVENTS",
    "AiTriageSuggested",
    "CommentAdded",
    "FieldChange",
    "Payload",
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
    "as_data",
    "event_type",
    "parse",
    "parse_as",
]
