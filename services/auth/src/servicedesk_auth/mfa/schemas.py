"""TOTP enrolment and confirmation bodies."""

from __future__ import annotations

from pydantic import BaseModel, ConfigDict, Field


class OtpIn(BaseModel):
    model_config = ConfigDict(extra="forbid")

    otp: str = Field(min_length=1, max_length=16)


class TotpEnrolment(BaseModel):
    """Show `otpauth_uri` as a QR code; `secret` is for typing in by hand."""

    secret: str
    otpauth_uri: str


class MfaState(BaseModel):
    mfa_enabled: bool
