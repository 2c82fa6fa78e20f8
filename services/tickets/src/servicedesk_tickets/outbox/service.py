"""Write an integration event next to the change it describes (transactional outbox).

The envelope is the contract's: `{id, type, version, occurred_at, producer,
correlation_id, data}`; the correlation id is the request id. The shared relay
(`servicedesk_shared.messaging.relay`, run in the lifespan) publishes them.
"""

from __future__ import annotations

from typing import Any

from sqlalchemy.ext.asyncio import AsyncSession

from servicedesk_shared.events import Payload
from servicedesk_shared.messaging.outbox import add_event, event_row, written
from servicedesk_tickets.outbox.models import OutboxEvent
from servicedesk_tickets.outbox.schemas import PRODUCER, VERSION


def record(session: AsyncSession, *, event: Payload) -> OutboxEvent:
    """Add the event to the session; it commits (or not) with the caller's transaction. Its
    type comes from its model (`servicedesk_shared.events.EVENTS`), never from the caller."""
    return add_event(session, OutboxEvent, event, producer=PRODUCER, version=VERSION)


def record_row(session: AsyncSession, *, event: Payload) -> dict[str, Any]:
    """The row `record` would add (`id`, `type`, `payload`, `occurred_at`), for a hot path
    that writes it with a statement of its own in `session`'s transaction (filing a
    ticket, `ticketing/filing.py`): it commits with the change, or not at all, and its
    commit wakes the relay as `record`'s does."""
    written(session)
    return event_row(event, producer=PRODUCER, version=VERSION)
