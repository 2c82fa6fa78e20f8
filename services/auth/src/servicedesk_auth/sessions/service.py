"""Sign in, refresh, sign out.

Wrong user, wrong password and inactive user fail alike (same body, a real or dummy
Argon2 verify each). TOTP is asked for only after the password is right.
"""

from __future__ import annotations

from typing import Any

from sqlalchemy.ext.asyncio import AsyncSession

from servicedesk_auth.errors import (
    InvalidCredentials,
    MfaInvalid,
    MfaRequired,
    RefreshReused,
    TokenInvalid,
)
from servicedesk_auth.metrics import LOGIN_FAILURES
from servicedesk_auth.mfa import service as mfa
from servicedesk_auth.runtime import Runtime
from servicedesk_auth.sessions import revocation
from servicedesk_auth.sessions.models import RefreshToken
from servicedesk_auth.sessions.schemas import LoginRequest, TokenPair
from servicedesk_auth.sessions.throttle import LoginThrottle
from servicedesk_auth.sessions.tokens import issue_pair
from servicedesk_auth.users import service as users
from servicedesk_auth.users.models import User
from servicedesk_shared import tokens
from servicedesk_shared.logging import security_event


async def _fail(
    throttle: LoginThrottle, key: str, form: LoginRequest, ip: str, reason: str
) -> None:
    LOGIN_FAILURES.labels(reason).inc()
    security_event("login_failed", username=form.username, ip=ip, reason=reason)
    if reason != "mfa_required":
        await throttle.failed(key)


async def _password_user(runtime: Runtime, user: User | None, form: LoginRequest) -> User | None:
    """The active user whose password this is, else None, at the same cost either way."""
    if user is None:
        await runtime.hasher.dummy_verify(form.password)
        return None
    if not await runtime.hasher.verify(user.password_hash, form.password):
        return None
    return user if user.is_active else None


async def _check_otp(
    session: AsyncSession, *, runtime: Runtime, user: User, otp: str | None
) -> str | None:
    """None when TOTP is off or the code is good; else the failure reason."""
    if not user.mfa_enabled:
        return None
    if not otp:
        return "mfa_required"
    assert user.totp is not None
    good = await mfa.consume(session, device=user.totp, otp=otp, cipher=runtime.totp)
    return None if good else "mfa_invalid"


async def _upgrade_hash(runtime: Runtime, user: User, password: str) -> None:
    """New Argon2 parameters or a legacy PBKDF2 hash: store a fresh hash of the same password."""
    if runtime.hasher.needs_rehash(user.password_hash):
        user.password_hash = await runtime.hasher.hash(password)


async def login(
    session: AsyncSession, *, runtime: Runtime, form: LoginRequest, ip: str
) -> TokenPair:
    throttle = LoginThrottle(runtime.redis, runtime.keys)
    found = await users.get_by_login(session, login=form.username)
    key = throttle.key(user_id=found.id if found else None, typed=form.username)
    await throttle.wait(key)
    user = await _password_user(runtime, found, form)
    if user is None:
        await _fail(throttle, key, form, ip, "invalid_credentials")
        raise InvalidCredentials()
    reason = await _check_otp(session, runtime=runtime, user=user, otp=form.otp)
    if reason:
        await _fail(throttle, key, form, ip, reason)
        raise MfaRequired() if reason == "mfa_required" else MfaInvalid()
    await throttle.succeeded(key)
    await _upgrade_hash(runtime, user, form.password)
    security_event("login_succeeded", user_id=str(user.id), ip=ip)
    return issue_pair(session, runtime=runtime, user=user)


def _verify_refresh(runtime: Runtime, token: str) -> dict[str, Any]:
    try:
        return tokens.verify(runtime.tokens, token, token_type=tokens.REFRESH)
    except tokens.InvalidToken as exc:
        raise TokenInvalid() from exc


async def _reject(session: AsyncSession, *, jti: str, ip: str) -> TokenInvalid:
    """A refresh token that cannot be used; a second use revokes its whole family."""
    row = await session.get(RefreshToken, jti)
    if row is None or row.used_at is None or row.revoked_at is not None:
        return TokenInvalid()
    await revocation.revoke_family(session, family=row.family)
    security_event("refresh_token_reused", user_id=str(row.user_id), family=row.family, ip=ip)
    return RefreshReused()


async def refresh(session: AsyncSession, *, runtime: Runtime, token: str, ip: str) -> TokenPair:
    """Rotate: the presented token is used up, a new pair of the same family comes back."""
    claims = _verify_refresh(runtime, token)
    row = await revocation.use_refresh(session, jti=claims["jti"])
    if row is None:
        raise await _reject(session, jti=claims["jti"], ip=ip)
    user = await session.get(User, row.user_id)
    if user is None or not user.is_active or claims.get("tv") != user.token_version:
        raise TokenInvalid()
    return issue_pair(session, runtime=runtime, user=user, family=row.family)


async def logout(
    session: AsyncSession, *, runtime: Runtime, user: User, access: dict[str, Any], token: str
) -> None:
    """Revoke the caller's access token and the refresh token's whole family."""
    claims = _verify_refresh(runtime, token)
    if claims["sub"] != str(user.id):
        raise TokenInvalid()
    await revocation.revoke_family(session, family=claims["fam"])
    await revocation.deny_access(
        session, jti=access["jti"], exp=access["exp"], denylist=runtime.denylist
    )
    security_event("logout", user_id=str(user.id))


async def logout_everywhere(session: AsyncSession, *, runtime: Runtime, user: User) -> None:
    """Every session of the user ends: all refresh families revoked, and the token version
    bumped so every access token already issued (other devices included) dies at once."""
    await revocation.revoke_user_families(session, user_id=user.id)
    users.bump_token_version(session, user=user, denylist=runtime.denylist)
    security_event("logout_everywhere", user_id=str(user.id))


__all__ = ["login", "logout", "logout_everywhere", "refresh"]
