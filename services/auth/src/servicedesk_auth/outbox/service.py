"""Write an integration event next to the change it describes (transactional outbox).

The envelope is the contract's: `{id, type, version, occurred_at, producer,
correlation_id, data}`; the correlation id is the request id. A relay (a later issue)
publishes unpublished rows and sets `published_at`.
"""

from __future__ import annotations

import uuid
from datetime import datetime
from typing import Any

from sqlalchemy.ext.asyncio import AsyncSession

from servicedesk_auth.database import utcnow
from servicedesk_auth.outbox.models import OutboxEvent
from servicedesk_shared.logging import request_id_var

PRODUCER = "auth"


def envelope(
    event_id: uuid.UUID, type_: str, occurred_at: datetime, data: dict[str, Any]
) -> dict[str, Any]:
    return {
        "id": str(event_id),
        "type": type_,
        "version": 1,
        "occurred_at": occurred_at.isoformat(),
        "producer": PRODUCER,
        "correlation_id": request_id_var.get(),
        "data": data,
    }


def record(session: AsyncSession, *, type_: str, data: dict[str, Any]) -> OutboxEvent:
    """Add the event to the session; it commits (or not) with the caller's transaction."""
    event_id, now = uuid.uuid4(), utcnow()
    payload = envelope(event_id, type_, now, data)
    event = OutboxEvent(id=event_id, type=type_, payload=payload, occurred_at=now)
    session.add(event)
    return event
