"""`POST /api/systems`: a new system by code and name."""

from __future__ import annotations

from pydantic import BaseModel, ConfigDict, Field

from servicedesk_shared.types import text
from servicedesk_tickets.workflows.schemas import WorkflowRead


class SystemCreate(BaseModel):
    model_config = ConfigDict(extra="forbid")

    code: str = Field(pattern=r"^[A-Z0-9_]{2,16}$", description="2-16 of A-Z, 0-9 and _")
    name: text(1, 200, strip=True)  # type: ignore[valid-type]


class SystemListed(BaseModel):
    """A system as `GET /api/systems` lists it, in the shape auth's list had: `name` is
    the code (`TTS`), `description` the human name."""

    name: str
    description: str


class SystemRead(BaseModel):
    code: str
    name: str
    workflow: WorkflowRead
