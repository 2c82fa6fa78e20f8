"""TOTP enrolment and confirmation bodies."""

from __future__ import annotations

from pydantic import BaseModel

from servicedesk_shared.types import OtpCode, Strict


class OtpIn(Strict):
    otp: OtpCode


class TotpEnrolment(BaseModel):
    """Show `otpauth_uri` as a QR code; `secret` is for typing in by hand."""

    secret: str
    otpauth_uri: str


class MfaState(BaseModel):
    mfa_enabled: bool
