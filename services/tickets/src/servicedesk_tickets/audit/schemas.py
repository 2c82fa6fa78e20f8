"""What the audit endpoints return, and the filters of the admin listing."""

from __future__ import annotations

from datetime import datetime
from typing import Any

from pydantic import BaseModel, ConfigDict

from servicedesk_shared.types import Limit, Offset, Timestamp
from servicedesk_tickets.people.schemas import PersonRef
from servicedesk_tickets.text import Name


class HistoryEntry(BaseModel):
    """One audit entry as a ticket's history shows it (no IP, no hashes)."""

    model_config = ConfigDict(from_attributes=True)

    seq: int
    at: datetime
    actor_id: str | None
    actor_name: str | None
    actor: PersonRef | None = None
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
    since: Timestamp | None = None
    until: Timestamp | None = None
    limit: Limit = 50
    offset: Offset = 0


class BrokenEntry(BaseModel):
    seq: int
    reason: str


class VerifyResult(BaseModel):
    valid: bool
    entries: int
    first_broken: BrokenEntry | None
