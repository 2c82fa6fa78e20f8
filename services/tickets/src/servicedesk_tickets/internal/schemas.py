"""What `GET /internal/tickets` takes and answers: the open tickets, in keyset pages."""

from __future__ import annotations

from datetime import UTC, datetime
from typing import Annotated

from annotated_types import Interval
from pydantic import AfterValidator, BaseModel, Field
from pydantic_core import PydanticCustomError

from servicedesk_shared.types import BigId, Strict, Timestamp
from servicedesk_tickets.text import Name

MAX_PAGE = 500


def _utc(value: datetime) -> datetime:
    """In UTC, or a 422: `0001-01-01T00:00:00+01:00` has no UTC instant (asyncpg would
    fail converting it: a 500)."""
    try:
        return value.astimezone(UTC)
    except OverflowError:
        raise PydanticCustomError("datetime_range", "out of the range of dates") from None


class OpenTicketParams(Strict):
    """The query: unknown parameters are refused (422 naming each)."""

    system: Name | None = Field(None, description="Only tickets of this system")
    updated_since: Annotated[Timestamp, AfterValidator(_utc)] | None = Field(
        None, description="Only tickets last changed at or after this time (RFC 3339)"
    )
    after: BigId | None = Field(None, description="The `next` of the previous page")
    limit: Annotated[int, Interval(ge=1, le=MAX_PAGE)] = 100


class OpenTicket(BaseModel):
    """A ticket as a batch job needs it; `updated_at` names its version."""

    id: int
    title: str
    description: str
    updated_at: datetime


class OpenTicketPage(BaseModel):
    """`next`: the `after` of the following page; null on the last one."""

    items: list[OpenTicket]
    next: int | None
