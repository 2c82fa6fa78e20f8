"""TOTP (RFC 6238, 30-second steps, ±1 step of drift) with every code usable once.

Secrets are stored encrypted (`mfa.crypto`); only these functions see them in clear."""

from __future__ import annotations

import hmac
import time
import uuid
from typing import Any, Protocol

import asyncpg
import pyotp
from sqlalchemy import Update, bindparam, or_, update
from sqlalchemy.ext.asyncio import AsyncSession

from servicedesk_auth.database import utcnow
from servicedesk_auth.errors import MfaAlreadyEnabled, MfaNotPending, OtpInvalid
from servicedesk_auth.mfa.crypto import TotpCipher
from servicedesk_auth.mfa.models import TotpDevice
from servicedesk_auth.users.models import User
from servicedesk_shared.logging import security_event
from servicedesk_shared.reads import Prepared

ISSUER = "Service Desk"
STEP = 30
DRIFT = 1


class Device(Protocol):
    """What a code check reads of a TOTP device: the entity, or a login's row."""

    user_id: uuid.UUID
    secret: str


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


def _consumed(target: Any) -> Update:
    """Records `step` as the device's last used one, unless that step (or a later one) was
    used already: no row back means the code was used before. `target`: the entity (the
    session's `consume`) or its table (`consume_on`, compiled at import for the login)."""
    device = TotpDevice.__table__.c
    return (
        update(target)
        .where(
            device.user_id == bindparam("device_user"),
            or_(device.last_used_step.is_(None), device.last_used_step < bindparam("step")),
        )
        .values(last_used_step=bindparam("step"))
        .returning(device.user_id)
    )


_CONSUME = _consumed(TotpDevice)
_CONSUME_ON = Prepared(_consumed(TotpDevice.__table__))


def _step(device: Device, otp: str, cipher: TotpCipher) -> int | None:
    return matched_step(cipher.decrypt(device.secret, user_id=device.user_id), otp)


async def consume(
    session: AsyncSession, *, device: TotpDevice, otp: str, cipher: TotpCipher
) -> bool:
    """True when `otp` is right and its step newer than the last used one (then recorded)."""
    step = _step(device, otp, cipher)
    if step is None:
        return False
    params = {"device_user": device.user_id, "step": step}
    options = {"synchronize_session": "fetch"}
    return await session.scalar(_CONSUME, params, execution_options=options) is not None


async def consume_on(
    conn: asyncpg.Connection, *, device: Device, otp: str, cipher: TotpCipher
) -> bool:
    """`consume` on a plain connection (the caller's transaction, if any)."""
    step = _step(device, otp, cipher)
    if step is None:
        return False
    return await _CONSUME_ON.fetchrow(conn, device_user=device.user_id, step=step) is not None


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
