"""Write `ai.triage.suggested` next to the work that produced it (transactional outbox)."""

from __future__ import annotations

from sqlalchemy.ext.asyncio import AsyncSession

from servicedesk_ai_assist.outbox.models import OutboxEvent
from servicedesk_shared.events import Payload
from servicedesk_shared.messaging.outbox import add_event

PRODUCER = "ai-assist"


def record(
    session: AsyncSession, *, event: Payload, correlation_id: str | None = None
) -> OutboxEvent:
    """Add the event to the session; it commits (or not) with the caller's transaction. Its
    type comes from its model (`servicedesk_shared.events.EVENTS`), never from the caller."""
    return add_event(session, OutboxEvent, event, producer=PRODUCER, correlation_id=correlation_id)
