"""`GET /api/users/me` on asyncpg: the caller's account, roles, MFA state and the token's
revocation in one prepared statement, no transaction, the body built once as `UserRead`
writes it (a test holds it to the model).

The statement is SQLAlchemy Core over the same models, compiled once
(`servicedesk_shared.reads.Prepared`); the token is accepted or refused by the same rule
as every other route's (`sessions.tokens.ensure_accepted`).
"""

from __future__ import annotations

from typing import Any

import asyncpg
from sqlalchemy import bindparam, exists, select

from servicedesk_auth.mfa.models import TotpDevice
from servicedesk_auth.roles.models import SystemRole
from servicedesk_auth.sessions import tokens
from servicedesk_auth.sessions.models import RevokedAccessToken
from servicedesk_auth.users.models import User, role_names
from servicedesk_shared.reads import Prepared, stamp

_REVOKED = exists().where(RevokedAccessToken.jti == bindparam("jti"))
# One row per system role (one row with null roles when there is none), ordered as the
# entity orders `system_roles`.
_ME = Prepared(
    select(
        User.id,
        User.username,
        User.email,
        User.chosen_display_name,
        User.is_active,
        User.is_admin,
        User.is_superuser,
        User.token_version,
        User.created_at,
        TotpDevice.confirmed_at,
        SystemRole.system,
        SystemRole.role,
        _REVOKED.label("revoked"),
    )
    .outerjoin(TotpDevice, TotpDevice.user_id == User.id)
    .outerjoin(SystemRole, SystemRole.user_id == User.id)
    .where(User.id == bindparam("user_id"))
    .order_by(SystemRole.system)
)


def _body(first: asyncpg.Record, rows: list[asyncpg.Record]) -> dict[str, Any]:
    """`UserRead` of the rows (see `User.roles`, `display_name`, `mfa_enabled`)."""
    admin, superuser = first["is_admin"], first["is_superuser"]
    return {
        "id": str(first["id"]),
        "username": first["username"],
        "email": first["email"],
        "display_name": first["display_name"] or first["username"],
        "is_active": first["is_active"],
        "is_admin": admin,
        "is_superuser": superuser,
        "roles": role_names(is_admin=admin, is_superuser=superuser),
        "systems": {r["system"]: r["role"] for r in rows if r["system"] is not None},
        "mfa_enabled": first["confirmed_at"] is not None,
        "created_at": stamp(first["created_at"]),
    }


class _Found:
    """What `ensure_accepted` reads of a user, from a row."""

    def __init__(self, row: asyncpg.Record) -> None:
        self.is_active, self.token_version = row["is_active"], row["token_version"]


async def read(conn: asyncpg.Connection, *, claims: dict[str, Any]) -> dict[str, Any]:
    """The caller's `UserRead` body, unless the token is refused (401)."""
    rows = await _ME.fetch(conn, user_id=tokens.user_id(claims), jti=claims["jti"])
    first = rows[0] if rows else None
    revoked = first["revoked"] if first else True
    tokens.ensure_accepted(claims, user=first and _Found(first), revoked=revoked)
    return _body(first, rows)
