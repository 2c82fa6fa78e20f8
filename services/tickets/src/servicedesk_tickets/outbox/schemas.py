"""The event types this service produces (contract §6) and the envelope's fixed fields."""

from __future__ import annotations

from typing import Literal

PRODUCER = "tickets"
VERSION = 1

EventType = Literal[
    "ticket.created",
    "ticket.updated",
    "ticket.status_changed",
    "ticket.assigned",
    "ticket.deleted",
    "comment.added",
    "ticket.sla.warning",
    "ticket.sla.breached",
]
