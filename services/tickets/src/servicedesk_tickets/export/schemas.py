"""Export parameters: the list's filters plus optional extra columns."""

from __future__ import annotations

from pydantic import Field, field_validator

from servicedesk_shared.types import text
from servicedesk_tickets.ticketing.schemas import TicketFilters

BASE_COLUMNS = (
    "id",
    "title",
    "status",
    "priority",
    "category",
    "system",
    "requester_id",
    "assignee_id",
    "created_at",
    "updated_at",
    "requester_name",
    "assignee_name",
)
OPTIONAL_COLUMNS = ("description", "comments")
Columns = text(max_length=100)


class ExportParams(TicketFilters):
    columns: Columns | None = Field(
        None, description="Extra columns, comma-separated: description, comments"
    )

    @field_validator("columns")
    @classmethod
    def _known(cls, value: str | None) -> str | None:
        unknown = set(_split(value)) - set(OPTIONAL_COLUMNS)
        if unknown:
            raise ValueError(f"unknown columns: {', '.join(sorted(unknown))}")
        return value

    @property
    def extra_columns(self) -> list[str]:
        wanted = set(_split(self.columns))
        return [c for c in OPTIONAL_COLUMNS if c in wanted]


def _split(value: str | None) -> list[str]:
    return [part.strip() for part in (value or "").split(",") if part.strip()]
