"""Who is calling: the verified claims of an access token as a small typed value.

Services behind the gateway use `bearer_principal` as a FastAPI dependency: it verifies
the Bearer token with the shared verifier (pinned HS256, kid, aud, iss, type) and refuses
with 401 when it is missing or invalid. The gateway has already refused tokens that were
revoked (deny-list, token version); auth checks its own routes against its database.
"""

from __future__ import annotations

from collections.abc import Callable
from dataclasses import dataclass, field
from typing import Any

from fastapi import Depends
from fastapi.security import HTTPAuthorizationCredentials, HTTPBearer

from servicedesk_shared import tokens
from servicedesk_shared.errors import Unauthorized

ROLE_ORDER = ("user", "agent", "manager", "admin")


@dataclass(frozen=True)
class Principal:
    id: str
    username: str
    email: str
    is_admin: bool
    is_superuser: bool
    systems: dict[str, str] = field(default_factory=dict)
    jti: str = ""

    @classmethod
    def from_claims(cls, claims: dict[str, Any]) -> Principal:
        roles = claims.get("roles") or []
        systems = claims.get("systems") or {}
        return cls(
            id=str(claims["sub"]),
            username=str(claims.get("username", "")),
            email=str(claims.get("email", "")),
            is_admin=bool(claims.get("is_admin")) or "superuser" in roles,
            is_superuser="superuser" in roles,
            systems={str(k): str(v) for k, v in systems.items()},
            jti=str(claims.get("jti", "")),
        )

    def role_in(self, system: str) -> str:
        """The caller's role in `system` ("admin" everywhere for global admins)."""
        if self.is_admin:
            return "admin"
        return self.systems.get(system, "user")

    def at_least(self, system: str, role: str) -> bool:
        return ROLE_ORDER.index(self.role_in(system)) >= ROLE_ORDER.index(role)

    def systems_with(self, role: str) -> list[str]:
        """Systems where the caller holds `role` or a higher one (not counting global admin)."""
        floor = ROLE_ORDER.index(role)
        return [
            s for s, r in self.systems.items() if r in ROLE_ORDER and ROLE_ORDER.index(r) >= floor
        ]


_bearer = HTTPBearer(auto_error=False, description="Access token from POST /api/token")


def bearer_principal(get_settings: Callable[..., tokens.TokenSettings]):
    """A dependency returning the caller's `Principal`, or raising 401."""

    async def dependency(
        credentials: HTTPAuthorizationCredentials | None = Depends(_bearer),
        token_settings: tokens.TokenSettings = Depends(get_settings),
    ) -> Principal:
        if credentials is None or credentials.scheme.lower() != "bearer":
            raise Unauthorized("Missing bearer token")
        try:
            claims = tokens.verify(token_settings, credentials.credentials)
        except tokens.InvalidToken:
            raise Unauthorized("Invalid or expired token", code="invalid_token") from None
        return Principal.from_claims(claims)

    return dependency
