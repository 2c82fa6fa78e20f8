"""SLA policy bodies (loosely typed on purpose: `validate.problems` names every problem at
once, as the workflow editor does) and the clocks on ticket payloads."""

from __future__ import annotations

from datetime import datetime

from pydantic import BaseModel, Field

from servicedesk_shared.types import Strict, text

Short = text(1, 64)


class CalendarSpec(Strict):
    """`working_days`: ISO weekdays (1 = Monday); `start`/`end`: HH:MM local (end may be
    24:00); `holidays`: YYYY-MM-DD local days off."""

    timezone: Short = Field(examples=["Europe/Berlin"])
    working_days: list[int] = Field(max_length=20)
    start: Short = Field(examples=["09:00"])
    end: Short = Field(examples=["17:00"])
    holidays: list[Short] = Field(default_factory=list, max_length=1000)


class TargetSpec(Strict):
    """Working minutes; null: no target."""

    first_response_minutes: int | None
    resolution_minutes: int | None


class TargetsSpec(Strict):
    low: TargetSpec
    medium: TargetSpec
    high: TargetSpec
    urgent: TargetSpec


class PolicyWrite(Strict):
    calendar: CalendarSpec
    targets: TargetsSpec


class PolicyRead(PolicyWrite):
    system: str
    updated_at: datetime | None = None
    updated_by: str | None = None


class ClockRead(BaseModel):
    due_at: datetime | None
    met_at: datetime | None
    breached: bool
    paused: bool
    remaining_seconds: int = Field(description="Working seconds left; negative once breached")


class SlaRead(BaseModel):
    first_response: ClockRead | None
    resolution: ClockRead | None
