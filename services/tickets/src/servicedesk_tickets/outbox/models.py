"""Integration events waiting for the relay, written in the same transaction as the change
(the columns are the shared outbox's: `servicedesk_shared.messaging.outbox`)."""

from __future__ import annotations

from servicedesk_shared.messaging.outbox import OutboxColumns
from servicedesk_tickets.database import Base


class OutboxEvent(OutboxColumns, Base):
    pass
