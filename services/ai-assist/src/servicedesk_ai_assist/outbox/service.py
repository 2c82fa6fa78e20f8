"""Write `ai.triage.suggested` next to the work that produced it (transactional outbox)."""

from __future__ import annotations

from sqlalchemy.ext.asyncio import AsyncSession

from servicedesk_ai_assist.outbox.models import OutboxEvent
from servicedesk_shared.events.payloads import AiTriageSuggested
from servicedesk_shared.messaging.outbox import add_event

PRODUCER = "ai-assist"
TYPE = "ai.triage.suggested"


def record_triage(
    session: AsyncSession, triage: AiTriageSuggested, *, correlation_id: str | None = None
) -> OutboxEvent:
    """Add the event to the session; it commits (or not) with the caller's transaction."""
    data = triage.model_dump(mode="json")
    return add_event(
        session, OutboxEvent, TYPE, data, producer=PRODUCER, correlation_id=correlation_id
    )
