"""The envelope of §6: `{id, type, version, occurred_at, producer, correlation_id, data}`.

Producers build it with `new_event` and store it whole in their outbox; consumers parse
it with `Envelope.model_validate_json`, ignoring fields they do not know.
"""

from __future__ import annotations

import uuid
from datetime import UTC, datetime
from typing import Any

from pydantic import BaseModel, ConfigDict


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
    correlation_id: str | None,
    version: int = 1,
) -> dict[str, Any]:
    """A JSON-ready envelope with a fresh id and the current UTC time."""
    return {
        "id": str(uuid.uuid4()),
        "type": event_type,
        "version": version,
        "occurred_at": datetime.now(UTC).isoformat(),
        "producer": producer,
        "correlation_id": correlation_id,
        "data": data,
    }
