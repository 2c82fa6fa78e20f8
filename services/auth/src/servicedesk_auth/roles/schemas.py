"""Role assignments per system and the list of systems."""

from __future__ import annotations

from typing import Literal

from pydantic import BaseModel, ConfigDict

from servicedesk_shared.types import text

SystemName = text(1, 64)
SystemRoleName = Literal["user", "agent", "manager", "admin"]


class RoleAssignment(BaseModel):
    model_config = ConfigDict(extra="forbid")

    system: SystemName
    role: SystemRoleName


class SystemRead(BaseModel):
    model_config = ConfigDict(from_attributes=True)

    name: str
    description: str
