"""Role assignments per system and the list of systems."""

from __future__ import annotations

from typing import Literal

from pydantic import BaseModel, ConfigDict, Field

SystemRoleName = Literal["user", "agent", "manager", "admin"]


class RoleAssignment(BaseModel):
    model_config = ConfigDict(extra="forbid")

    system: str = Field(min_length=1, max_length=64)
    role: SystemRoleName


class SystemRead(BaseModel):
    model_config = ConfigDict(from_attributes=True)

    name: str
    description: str
