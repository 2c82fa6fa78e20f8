"""Write an integration event next to the change it describes (transactional outbox).

The envelope is the contract's: `{id, type, version, occurred_at, producer,
correlation_id, data}`; the correlation id is the request id. The shared relay
(`servicedesk_shared.messaging.relay`, run in the lifespan) publishes them.
"""

from __future__ import annotations

from typing import Any

from sqlalchemy.ext.asyncio import AsyncSession

from servicedesk_shared.messaging.outbox import add_event
from servicedesk_tickets.outbox.models import OutboxEvent
from servicedesk_tickets.outbox.schemas import PRODUCER, VERSION, EventType


def record(session: AsyncSession, *, type_: EventType, data: dict[str, Any]) -> OutboxEvent:
    """Add the event to the session; it commits (or not) with the caller's transaction."""
    return add_event(session, OutboxEvent, type_, data, producer=PRODUCER, version=VERSION)
