"""Webhook registration, listing and the delivery log."""

from __future__ import annotations

import uuid
from datetime import datetime
from typing import Annotated

from pydantic import AfterValidator, BaseModel, ConfigDict, Field

from servicedesk_shared.events import EVENTS
from servicedesk_shared.types import Strict, Text, text


def _known_types(types: list[str]) -> list[str]:
    unknown = sorted(set(types) - set(EVENTS))
    if unknown:
        raise ValueError(f"unknown event types {unknown}; known: {sorted(EVENTS)}")
    return list(dict.fromkeys(types))


EventType = Annotated[Text, Field(json_schema_extra={"enum": sorted(EVENTS)})]
EventTypes = Annotated[
    list[EventType], Field(min_length=1, max_length=32), AfterValidator(_known_types)
]


WebhookUrl = text(1, 2048)


class WebhookCreate(Strict):
    url: WebhookUrl = Field(examples=["https://hooks.example.com/desk"])
    event_types: EventTypes


class WebhookRead(BaseModel):
    model_config = ConfigDict(from_attributes=True)

    id: uuid.UUID
    url: str
    event_types: list[str]
    created_by: str
    created_at: datetime


class WebhookCreated(WebhookRead):
    secret: str = Field(description="The signing secret; shown this once, never again")


class WebhookPage(BaseModel):
    items: list[WebhookRead]


class AttemptRead(BaseModel):
    model_config = ConfigDict(from_attributes=True)

    attempt: int
    at: datetime
    status_code: int | None
    latency_ms: float | None
    error: str | None


class DeliveryRead(BaseModel):
    model_config = ConfigDict(from_attributes=True)

    id: int
    event_id: uuid.UUID
    event_type: str
    status: str
    attempts: int
    next_attempt_at: datetime
    last_error: str | None
    delivered_at: datetime | None
    created_at: datetime
    log: list[AttemptRead]


class DeliveryPage(BaseModel):
    items: list[DeliveryRead]
    total: int
