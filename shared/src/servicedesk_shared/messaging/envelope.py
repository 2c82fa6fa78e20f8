"""The envelope of §6: `{id, type, version, occurred_at, producer, correlation_id, data}`.

Producers build it with `new_event` and store it whole in their outbox; consumers parse
it with `Envelope.model_validate_json`, ignoring fields they do not know.
"""

from __future__ import annotations

import uuid
from datetime import UTC, datetime
from typing import Any

from pydantic import BaseModel, ConfigDict

from servicedesk_shared.logging import request_id_var


class Envelope(BaseModel):
    model_config = ConfigDict(frozen=True, extra="ignore")

    id: uuid.UUID
    type: str
    version: int
    occurred_at: datetime
    producer: str
    correlation_id: str | None = None
    data: dict[str, Any]


def new_event(
    event_type: str,
    data: dict[str, Any],
    *,
    producer: str,
    correlation_id: str | None = None,
    version: int = 1,
    event_id: uuid.UUID | None = None,
    occurred_at: datetime | None = None,
) -> dict[str, Any]:
    """A JSON-ready envelope; by default a fresh id, the current UTC time and the current
    request id as the correlation id."""
    return {
        "id": str(event_id or uuid.uuid4()),
        "type": event_type,
        "version": version,
        "occurred_at": (occurred_at or datetime.now(UTC)).isoformat(),
        "producer": producer,
        "correlation_id": correlation_id or request_id_var.get(),
        "data": data,
    }
