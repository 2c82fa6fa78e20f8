"""People as the API shows them, the changes the consumers and the backfill apply, and
the `/api/people` query."""

from __future__ import annotations

from datetime import datetime

from pydantic import BaseModel, ConfigDict, Field

from servicedesk_shared.types import Strict, text
from servicedesk_tickets.text import Name

Query = text(1, 100)


class PersonRef(BaseModel):
    """A person named on a ticket, comment, history, attachment or audit entry.
    `username`/`display_name` are null for an id the directory does not know (yet)."""

    id: str
    username: str | None
    display_name: str | None


class ProfileChange(BaseModel):
    """`user.registered`/`user.updated` (and a backfill row): the profile part of a person."""

    model_config = ConfigDict(extra="ignore")

    user_id: str
    username: str
    email: str | None = None
    display_name: str | None = None
    is_active: bool = True
    is_admin: bool = False
    is_superuser: bool = False
    version: int = 0


class RolesChange(BaseModel):
    """`user.roles_changed` (and a backfill row): the per-system roles part of a person."""

    model_config = ConfigDict(extra="ignore")

    user_id: str
    systems: dict[str, str]
    version: int = 0


class Stamp(BaseModel):
    """When a change happened: compared after the version (null = unknown, loses ties)."""

    version: int
    occurred_at: datetime | None = None


class PeopleParams(Strict):
    system: Name
    q: Query | None = Field(None, description="Part of the username or display name")
    limit: int = Field(20, ge=1, le=100)


class StaffMember(BaseModel):
    id: str
    username: str | None
    display_name: str | None
    role: str


class StaffPage(BaseModel):
    items: list[StaffMember]


class OrphanedAssignment(BaseModel):
    ticket_id: int
    system: str
    status: str
    assignee: PersonRef


class OrphanedPage(BaseModel):
    items: list[OrphanedAssignment]
