"""Write an integration event next to the change it describes (transactional outbox; the
relay, run in the lifespan, publishes it)."""

from __future__ import annotations

from typing import Any

from sqlalchemy.ext.asyncio import AsyncSession

from servicedesk_auth.outbox.models import OutboxEvent
from servicedesk_shared.messaging.outbox import add_event

PRODUCER = "auth"


def record(session: AsyncSession, *, type_: str, data: dict[str, Any]) -> OutboxEvent:
    """Add the event to the session; it commits (or not) with the caller's transaction."""
    return add_event(session, OutboxEvent, type_, data, producer=PRODUCER)
