"""TOTP enrolment for the caller: start, confirm, disable."""

from __future__ import annotations

from fastapi import APIRouter, Response

from servicedesk_auth.deps import CurrentUser, RuntimeDep, SessionDep
from servicedesk_auth.mfa import service
from servicedesk_auth.mfa.schemas import MfaState, OtpIn, TotpEnrolment
from servicedesk_shared.openapi import errors

router = APIRouter(tags=["mfa"])


@router.post("/api/users/me/mfa/totp", response_model=TotpEnrolment, responses=errors(401, 409))
async def enrol(user: CurrentUser, session: SessionDep, runtime: RuntimeDep) -> TotpEnrolment:
    """Start TOTP enrolment: a new secret and its `otpauth://` URI, pending until verified."""
    secret, uri = await service.start_enrolment(session, user=user, cipher=runtime.totp)
    return TotpEnrolment(secret=secret, otpauth_uri=uri)


@router.post("/api/users/me/mfa/totp/verify", response_model=MfaState, responses=errors(401, 422))
async def verify(
    data: OtpIn, user: CurrentUser, session: SessionDep, runtime: RuntimeDep
) -> MfaState:
    """Confirm enrolment with a current code; from then on sign-in asks for `otp`."""
    await service.confirm(session, user=user, otp=data.otp, cipher=runtime.totp)
    return MfaState(mfa_enabled=True)


@router.delete("/api/users/me/mfa/totp", status_code=204, responses=errors(401, 422))
async def disable(
    data: OtpIn, user: CurrentUser, session: SessionDep, runtime: RuntimeDep
) -> Response:
    """Turn TOTP off; needs a current code."""
    await service.disable(session, user=user, otp=data.otp, cipher=runtime.totp)
    return Response(status_code=204)
