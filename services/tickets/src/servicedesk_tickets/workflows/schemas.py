"""A workflow as the API reads and writes it: states, the initial one, transitions."""

from __future__ import annotations

from pydantic import BaseModel, ConfigDict, Field

from servicedesk_shared.types import Strict
from servicedesk_tickets.text import Name

KNOWN_ROLES = ("requester", "agent", "manager", "admin")


class StateSpec(Strict):
    name: Name
    terminal: bool = False
    pauses_sla: bool = Field(False, description="Time in this state does not count for SLAs")


class TransitionSpec(BaseModel):
    """`roles`: minimum roles ("agent" = agent or higher) and/or "requester"."""

    model_config = ConfigDict(extra="forbid", populate_by_name=True, serialize_by_alias=True)

    from_: Name = Field(alias="from")
    to: Name
    roles: list[Name] = Field(min_length=1, max_length=8)


class WorkflowWrite(Strict):
    initial: Name
    states: list[StateSpec] = Field(min_length=1, max_length=50)
    transitions: list[TransitionSpec] = Field(max_length=500)


class WorkflowRead(WorkflowWrite):
    system: str
