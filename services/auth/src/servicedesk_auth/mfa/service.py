"""TOTP (RFC 6238, 30-second steps, ±1 step of drift) with every code usable once.

Secrets are stored encrypted (`mfa.crypto`); only these functions see them in clear."""

from __future__ import annotations

import hmac
import time

import pyotp
from sqlalchemy import or_, update
from sqlalchemy.ext.asyncio import AsyncSession

from servicedesk_auth.database import utcnow
from servicedesk_auth.errors import MfaAlreadyEnabled, MfaNotPending, OtpInvalid
from servicedesk_auth.mfa.crypto import TotpCipher
from servicedesk_auth.mfa.models import TotpDevice
from servicedesk_auth.users.models import User
from servicedesk_shared.logging import security_event

ISSUER = "Service Desk"
STEP = 30
DRIFT = 1


def matched_step(secret: str, otp: str, *, now: float | None = None) -> int | None:
    """The time step whose code is `otp` (within the drift window), else None."""
    code = otp.replace(" ", "")
    if not (code.isdigit() and len(code) == 6):
        return None
    totp = pyotp.TOTP(secret, interval=STEP)
    current = int((time.time() if now is None else now) // STEP)
    for step in range(current - DRIFT, current + DRIFT + 1):
        if hmac.compare_digest(totp.at(step * STEP), code):
            return step
    return None


async def consume(
    session: AsyncSession, *, device: TotpDevice, otp: str, cipher: TotpCipher
) -> bool:
    """True when `otp` is right and its step newer than the last used one (then recorded)."""
    step = matched_step(cipher.decrypt(device.secret, user_id=device.user_id), otp)
    if step is None:
        return False
    stmt = (
        update(TotpDevice)
        .where(
            TotpDevice.user_id == device.user_id,
            or_(TotpDevice.last_used_step.is_(None), TotpDevice.last_used_step < step),
        )
        .values(last_used_step=step)
        .returning(TotpDevice.user_id)
        .execution_options(synchronize_session="fetch")
    )
    return await session.scalar(stmt) is not None


async def start_enrolment(
    session: AsyncSession, *, user: User, cipher: TotpCipher
) -> tuple[str, str]:
    """A fresh secret, pending until confirmed; replaces an earlier unconfirmed one."""
    if user.mfa_enabled:
        raise MfaAlreadyEnabled()
    secret = pyotp.random_base32()
    sealed = cipher.encrypt(secret, user_id=user.id)
    if user.totp is None:
        user.totp = TotpDevice(user_id=user.id, secret=sealed)
    else:
        user.totp.secret, user.totp.last_used_step = sealed, None
    await session.flush()
    uri = pyotp.TOTP(secret, interval=STEP).provisioning_uri(name=user.username, issuer_name=ISSUER)
    return secret, uri


async def confirm(session: AsyncSession, *, user: User, otp: str, cipher: TotpCipher) -> None:
    device = user.totp
    if device is None or device.confirmed_at is not None:
        raise MfaNotPending()
    if not await consume(session, device=device, otp=otp, cipher=cipher):
        raise OtpInvalid()
    device.confirmed_at = utcnow()
    security_event("mfa_enabled", user_id=str(user.id))


async def disable(session: AsyncSession, *, user: User, otp: str, cipher: TotpCipher) -> None:
    """Turn TOTP off; needs a current code, so a stolen session alone cannot do it."""
    device = user.totp
    if device is None or device.confirmed_at is None:
        raise MfaNotPending("TOTP is not enabled")
    if not await consume(session, device=device, otp=otp, cipher=cipher):
        raise OtpInvalid()
    user.totp = None
    await session.flush()
    security_event("mfa_disabled", user_id=str(user.id))
