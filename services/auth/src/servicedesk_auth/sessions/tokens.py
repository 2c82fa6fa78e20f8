"""Minting token pairs and accepting access tokens at the auth service itself."""

from __future__ import annotations

import uuid
from datetime import timedelta
from typing import Any

from sqlalchemy import select
from sqlalchemy.ext.asyncio import AsyncSession
from sqlalchemy.orm import joinedload

from servicedesk_auth.database import utcnow
from servicedesk_auth.errors import TokenInvalid
from servicedesk_auth.runtime import Runtime
from servicedesk_auth.sessions.models import RefreshToken, RevokedAccessToken
from servicedesk_auth.sessions.schemas import TokenPair
from servicedesk_auth.users.models import User
from servicedesk_shared import tokens


def access_claims_for(user: User) -> dict[str, Any]:
    return {
        "sub": str(user.id),
        "username": user.username,
        "email": user.email,
        "is_admin": user.is_admin or user.is_superuser,
        "roles": user.roles,
        "systems": user.systems,
        "tv": user.token_version,
    }


def mint_pair(
    runtime: Runtime, *, user: Any, family: str | None = None
) -> tuple[TokenPair, dict[str, Any]]:
    """A new access token and a new refresh token in `family` (or a new family), and the
    refresh token's row to store (`RefreshToken`'s columns); `user`: an entity or a row
    with the attributes `access_claims_for` reads."""
    ttl, refresh_ttl = runtime.settings.access_token_ttl, runtime.settings.refresh_token_ttl
    access = tokens.issue(
        runtime.tokens, claims=access_claims_for(user), token_type=tokens.ACCESS, ttl=ttl
    )
    jti, family = uuid.uuid4().hex, family or uuid.uuid4().hex
    claims = {"sub": str(user.id), "fam": family, "jti": jti, "tv": user.token_version}
    refresh = tokens.issue(
        runtime.tokens, claims=claims, token_type=tokens.REFRESH, ttl=refresh_ttl
    )
    now = utcnow()
    row = {
        "jti": jti,
        "family": family,
        "user_id": user.id,
        "expires_at": now + timedelta(seconds=refresh_ttl),
        "created_at": now,
    }
    return TokenPair.of(access=access, refresh=refresh, expires_in=ttl), row


def issue_pair(
    session: AsyncSession, *, runtime: Runtime, user: User, family: str | None = None
) -> TokenPair:
    """`mint_pair`, its refresh token stored in the session's transaction."""
    pair, row = mint_pair(runtime, user=user, family=family)
    session.add(RefreshToken(**row))
    return pair


def user_id(claims: dict[str, Any]) -> uuid.UUID:
    """The token's subject as a user id (a malformed one is an invalid token)."""
    try:
        return uuid.UUID(claims["sub"])
    except ValueError as exc:
        raise TokenInvalid() from exc


async def user_for_claims(session: AsyncSession, *, claims: dict[str, Any]) -> User:
    """The user of verified access-token claims, unless logged out, outdated or inactive.

    One round trip: every authenticated request of this service pays for it."""
    revoked = select(RevokedAccessToken.jti).where(RevokedAccessToken.jti == claims["jti"])
    query = (
        select(User, revoked.exists())
        .where(User.id == user_id(claims))
        .options(joinedload(User.system_roles))
    )
    row = (await session.execute(query)).unique().first()
    user, revoked = row if row else (None, True)
    ensure_accepted(claims, user=user, revoked=revoked)
    return user


def ensure_accepted(claims: dict[str, Any], *, user: Any, revoked: bool) -> None:
    """Refuse the token unless its user exists and is active, it was not logged out, and
    its token version is the user's (`user`: an entity or a row with those attributes;
    the one rule of both read paths, this one and `users/me.py`)."""
    if revoked or user is None or not user.is_active:
        raise TokenInvalid()
    if claims.get("tv") != user.token_version:
        raise TokenInvalid()
