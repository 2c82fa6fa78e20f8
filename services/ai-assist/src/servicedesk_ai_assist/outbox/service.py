"""Write `ai.triage.suggested` next to the work that produced it (transactional outbox)."""

from __future__ import annotations

import uuid

from sqlalchemy.ext.asyncio import AsyncSession

from servicedesk_ai_assist.database import utcnow
from servicedesk_ai_assist.outbox.models import OutboxEvent
from servicedesk_shared.events.payloads import AiTriageSuggested
from servicedesk_shared.messaging.envelope import new_event

PRODUCER = "ai-assist"
TYPE = "ai.triage.suggested"


def record_triage(
    session: AsyncSession, triage: AiTriageSuggested, *, correlation_id: str | None = None
) -> OutboxEvent:
    """Add the event to the session; it commits (or not) with the caller's transaction."""
    event_id, now = uuid.uuid4(), utcnow()
    payload = new_event(
        TYPE, triage.model_dump(mode="json"), producer=PRODUCER, event_id=event_id,
        occurred_at=now, correlation_id=correlation_id,
    )  # fmt: skip
    event = OutboxEvent(id=event_id, type=TYPE, payload=payload, occurred_at=now)
    session.add(event)
    return event
