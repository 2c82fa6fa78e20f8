"""The AI triage as a ticket shows it (`ai_triage` on the ticket's detail responses)."""

from __future__ import annotations

from datetime import datetime
from typing import Literal

from pydantic import BaseModel, ConfigDict, Field


class TriageRead(BaseModel):
    """`pending` until ai-assist answers; `failed` (with `error`) when the model could not."""

    model_config = ConfigDict(from_attributes=True)

    status: Literal["pending", "suggested", "failed"]
    category: str | None
    priority: str | None
    title: str | None
    summary: str | None
    confidence: float | None
    model: str | None
    possible_duplicates: list[int] = Field(
        description="Ids of likely duplicates, only those the caller may see"
    )
    error: str | None
    applied: list[str] = Field(
        description="Fields auto-apply copied onto the ticket from this suggestion"
    )
    updated_at: datetime
