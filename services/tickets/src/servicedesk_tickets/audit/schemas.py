"""What the audit endpoints return, and the filters of the admin listing."""

from __future__ import annotations

from datetime import datetime
from typing import Any

from pydantic import BaseModel, ConfigDict, Field

from servicedesk_shared.types import Limit, Offset, Strict, Timestamp
from servicedesk_tickets.people.schemas import PersonRef
from servicedesk_tickets.text import Name


class HistoryEntry(BaseModel):
    """One audit entry as a ticket's history shows it (no IP, no hashes)."""

    model_config = ConfigDict(from_attributes=True)

    id: int = Field(description="The entry's id: its order of writing, and a stable key")
    seq: int | None = Field(
        description="Its place on the hash chain; null for the moment it waits to be sealed"
    )
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
    prev_hash: str | None
    hash: str | None


class AuditPage(BaseModel):
    items: list[AuditRead]
    total: int


class AuditFilters(Strict):
    action: Name | None = None
    object_type: Name | None = None
    object_id: Name | None = None
    actor_id: Name | None = None
    since: Timestamp | None = None
    until: Timestamp | None = None
    limit: Limit = 50
    offset: Offset = 0


class BrokenEntry(BaseModel):
    seq: int | None = Field(description="Its place on the chain; null for an entry not on it")
    id: int | None = Field(None, description="The entry's id")
    reason: str


class VerifyResult(BaseModel):
    valid: bool
    entries: int = Field(description="Entries on the chain, checked")
    unsealed: int = Field(description="Entries written but not on the chain yet, not checked")
    first_broken: BrokenEntry | None
