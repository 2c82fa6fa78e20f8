"""Write an integration event next to the change it describes (transactional outbox; the
relay, run in the lifespan, publishes it)."""

from __future__ import annotations

from sqlalchemy.ext.asyncio import AsyncSession

from servicedesk_auth.outbox.models import OutboxEvent
from servicedesk_shared.events import Payload
from servicedesk_shared.messaging.outbox import add_event

PRODUCER = "auth"


def record(session: AsyncSession, *, event: Payload) -> OutboxEvent:
    """Add the event to the session; it commits (or not) with the caller's transaction. Its
    type comes from its model (`servicedesk_shared.events.EVENTS`), never from the caller."""
    return add_event(session, OutboxEvent, event, producer=PRODUCER)
