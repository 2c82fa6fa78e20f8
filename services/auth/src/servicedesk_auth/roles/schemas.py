"""Role assignments per system and the list of systems."""

from __future__ import annotations

from typing import Literal

from pydantic import BaseModel, ConfigDict

from servicedesk_shared.types import Strict, text

SystemName = text(1, 64)
SystemCode = text(2, 16, pattern=r"^[A-Z0-9_]{2,16}$")
SystemRoleName = Literal["user", "agent", "manager", "admin"]


class RoleAssignment(Strict):
    system: SystemName
    role: SystemRoleName


class SystemRead(BaseModel):
    model_config = ConfigDict(from_attributes=True)

    name: str
    description: str


class SystemCreate(Strict):
    """`POST /api/systems`: `code` is what roles and tickets name the system by."""

    code: SystemCode
    name: text(1, 100, strip=True)  # type: ignore[valid-type]


class SystemCreated(BaseModel):
    code: str
    name: str
