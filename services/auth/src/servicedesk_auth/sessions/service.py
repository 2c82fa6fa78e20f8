"""Refresh, sign out (signing in is `sessions.login`, on asyncpg)."""

from __future__ import annotations

from typing import Any

from sqlalchemy.ext.asyncio import AsyncSession

from servicedesk_auth.errors import RefreshReused, TokenInvalid
from servicedesk_auth.runtime import Runtime
from servicedesk_auth.sessions import revocation
from servicedesk_auth.sessions.models import RefreshToken
from servicedesk_auth.sessions.schemas import TokenPair
from servicedesk_auth.sessions.tokens import issue_pair
from servicedesk_auth.users import service as users
from servicedesk_auth.users.models import User
from servicedesk_shared import tokens
from servicedesk_shared.logging import security_event


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


__all__ = ["logout", "logout_everywhere", "refresh"]
