"""What the audit endpoints return, and the filters of the admin listing."""

from __future__ import annotations

from datetime import datetime
from typing import Any

from pydantic import BaseModel, ConfigDict, Field

from servicedesk_tickets.text import Name


class HistoryEntry(BaseModel):
    """One audit entry as a ticket's history shows it (no IP, no hashes)."""

    model_config = ConfigDict(from_attributes=True)

    seq: int
    at: datetime
    actor_id: str | None
    actor_name: str | None
    action: str
    old: dict[str, Any] | None
    new: dict[str, Any] | None


class AuditRead(HistoryEntry):
    object_type: str
    object_id: str | None
    request_id: str | None
    ip: str | None
    prev_hash: str
    hash: str


class AuditPage(BaseModel):
    items: list[AuditRead]
    total: int


class AuditFilters(BaseModel):
    model_config = ConfigDict(extra="forbid")

    action: Name | None = None
    object_type: Name | None = None
    object_id: Name | None = None
    actor_id: Name | None = None
    since: datetime | None = None
    until: datetime | None = None
    limit: int = Field(50, ge=1, le=200)
    offset: int = Field(0, ge=0, le=10_000_000)


class BrokenEntry(BaseModel):
    seq: int
    reason: str


class VerifyResult(BaseModel):
    valid: bool
    entries: int
    first_broken: BrokenEntry | None
