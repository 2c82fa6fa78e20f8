"""Saved views' bodies. Unknown fields, in the view or in its filters, are refused (422
naming each), so a typo never saves a view that silently filters nothing."""

from __future__ import annotations

from typing import Annotated, Any

from fastapi import Path
from pydantic import BaseModel, ConfigDict, Field, model_validator

from servicedesk_shared.types import Limit, Offset, Omittable, Patch, Strict, text
from servicedesk_tickets.ticketing.schemas import Sort, TicketFilters

BUILTIN_IDS = ("mine", "unassigned", "at_risk")
ViewName = text(1, 100, strip=True)
ViewId = Annotated[
    str,
    Path(
        pattern=r"^(mine|unassigned|at_risk|[1-9][0-9]{0,17})$",
        max_length=18,
        description="A saved view's number, or a built-in view: mine, unassigned, at_risk",
    ),
]


class ViewFilters(TicketFilters):
    """The list's filters (`GET /api/tickets`), kept with the view; `assignee: me` is
    whoever looks at the view."""

    model_config = ConfigDict(extra="forbid")


class ViewCreate(Strict):
    name: ViewName
    filters: ViewFilters = Field(default_factory=ViewFilters)
    sort: Sort | None = Field(None, description="Default: `-updated_at`")
    shared: bool = Field(False, description="Shown to everyone in `filters.system` (its admins)")

    @model_validator(mode="after")
    def _shared_has_a_system(self) -> ViewCreate:
        if self.shared and self.filters.system is None:
            raise ValueError("a shared view belongs to one system: set filters.system")
        return self


class ViewUpdate(Patch):
    """Only the fields sent change; `filters` is replaced whole; `sort: null` resets it."""

    name: Omittable[ViewName] = None
    filters: Omittable[ViewFilters] = None
    sort: Sort | None = None
    shared: Omittable[bool] = None


class ViewRead(BaseModel):
    id: str = Field(description="A number as a string, or a built-in's name")
    name: str
    filters: dict[str, Any]
    sort: str
    shared: bool
    system: str | None
    builtin: bool
    owner_id: str | None
    editable: bool = Field(description="The caller may PATCH and DELETE it")
    count: int = Field(description="Tickets the caller sees in it now")


class ViewList(BaseModel):
    items: list[ViewRead]


class ViewPageParams(Strict):
    limit: Limit = 50
    offset: Offset = 0
