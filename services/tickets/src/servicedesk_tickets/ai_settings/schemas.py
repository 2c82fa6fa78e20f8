"""The global AI settings as admins read and replace them."""

from __future__ import annotations

from datetime import datetime

from pydantic import ConfigDict, Field

from servicedesk_shared.types import Strict


class AiSettingsWrite(Strict):
    auto_apply: bool = Field(description="Apply suggested priority and category automatically")
    min_confidence: float = Field(
        ge=0, le=1, description="Auto-apply only suggestions at least this confident"
    )


class AiSettingsRead(AiSettingsWrite):
    model_config = ConfigDict(from_attributes=True)

    updated_at: datetime | None
    updated_by: str | None
