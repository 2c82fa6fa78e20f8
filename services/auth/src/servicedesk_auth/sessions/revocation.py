"""Refresh-token rotation and revocation, and the deny-listing of access tokens."""

from __future__ import annotations

import uuid
from datetime import UTC, datetime

from sqlalchemy import update
from sqlalchemy.dialects.postgresql import insert
from sqlalchemy.ext.asyncio import AsyncSession

from servicedesk_auth.database import utcnow
from servicedesk_auth.denylist import DenyList
from servicedesk_auth.sessions.models import RefreshToken, RevokedAccessToken
from servicedesk_shared.transaction import after_commit


async def use_refresh(session: AsyncSession, *, jti: str) -> RefreshToken | None:
    """Mark the token used, atomically; None when it was used, revoked, expired or unknown."""
    now = utcnow()
    stmt = (
        update(RefreshToken)
        .where(
            RefreshToken.jti == jti,
            RefreshToken.used_at.is_(None),
            RefreshToken.revoked_at.is_(None),
            RefreshToken.expires_at > now,
        )
        .values(used_at=now)
        .returning(RefreshToken)
    )
    return await session.scalar(stmt)


async def revoke_family(session: AsyncSession, *, family: str) -> None:
    await session.execute(
        update(RefreshToken)
        .where(RefreshToken.family == family, RefreshToken.revoked_at.is_(None))
        .values(revoked_at=utcnow())
    )


async def revoke_user_families(session: AsyncSession, *, user_id: uuid.UUID) -> None:
    """Every refresh token of the user, so each session has to sign in again."""
    await session.execute(
        update(RefreshToken)
        .where(RefreshToken.user_id == user_id, RefreshToken.revoked_at.is_(None))
        .values(revoked_at=utcnow())
    )


async def deny_access(session: AsyncSession, *, jti: str, exp: int, denylist: DenyList) -> None:
    """Revoke one access token: in PostgreSQL now, in Redis once that has committed."""
    expires_at = datetime.fromtimestamp(exp, UTC)
    await session.execute(
        insert(RevokedAccessToken)
        .values(jti=jti, expires_at=expires_at)
        .on_conflict_do_nothing(index_elements=["jti"])
    )
    after_commit(session, lambda: denylist.deny(jti, expires_at))
