"""Who is calling: the verified, unrevoked claims of an access token as a small typed value.

Services behind the gateway use `bearer_principal` as a FastAPI dependency: it verifies the
Bearer token with the shared verifier (pinned HS256, kid, aud, iss, type, claim types), then
asks Redis whether it was revoked (`servicedesk_shared.revocation`, the same check the
gateway makes), and refuses with 401 (or 503 while revocation state is unknown). A service
never trusts that the gateway has checked: its own port is reachable inside a deployment.
"""

from __future__ import annotations

from collections.abc import Callable
from dataclasses import dataclass, field

import redis.asyncio as aioredis
from fastapi import Depends
from fastapi.security import HTTPAuthorizationCredentials, HTTPBearer

from servicedesk_shared import tokens
from servicedesk_shared.errors import Unauthorized
from servicedesk_shared.redis import Keys
from servicedesk_shared.revocation import RevocationCheck
from servicedesk_shared.settings import BaseServiceSettings

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
    def from_claims(cls, claims: tokens.AccessClaims) -> Principal:
        return cls(
            id=claims.sub,
            username=claims.username,
            email=claims.email,
            is_admin=claims.is_global_admin,
            is_superuser=claims.is_superuser,
            systems=dict(claims.systems),
            jti=claims.jti,
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


@dataclass(frozen=True, slots=True)
class TokenGuard:
    """What a service needs to accept a token: the key ring and the revocation check.

    A token's signature and claims are checked once and remembered by its exact string
    (`tokens.Remembered`, as the gateway does); `exp` is checked again on every hit.
    Revocation is asked on every request."""

    settings: tokens.TokenSettings
    revocation: RevocationCheck
    verified: tokens.Remembered[tuple[tokens.AccessClaims, Principal]] = field(
        init=False, repr=False, compare=False
    )

    def __post_init__(self) -> None:
        verified = tokens.Remembered(self._check, expiry=lambda known: known[0].exp)
        object.__setattr__(self, "verified", verified)

    async def principal(self, token: str) -> Principal:
        try:
            claims, principal = self.verified(token)
        except tokens.InvalidToken:
            raise Unauthorized("Invalid or expired token", code="invalid_token") from None
        await self.revocation.ensure_good(claims)
        return principal

    def _check(self, token: str) -> tuple[tokens.AccessClaims, Principal]:
        claims = tokens.verify_access(self.settings, token)
        return claims, Principal.from_claims(claims)


_bearer = HTTPBearer(auto_error=False, description="Access token from POST /api/token")


def bearer_principal(get_guard: Callable[..., TokenGuard]):
    """A dependency returning the caller's `Principal`, or raising 401 (503 if unknowable)."""

    async def dependency(
        credentials: HTTPAuthorizationCredentials | None = Depends(_bearer),
        guard: TokenGuard = Depends(get_guard),
    ) -> Principal:
        if credentials is None or credentials.scheme.lower() != "bearer":
            raise Unauthorized("Missing bearer token")
        return await guard.principal(credentials.credentials)

    return dependency


def open_token_guard(settings: BaseServiceSettings, redis: aioredis.Redis) -> TokenGuard:
    """The guard of a service whose lifespan opened `redis` (and will close it)."""
    keys = Keys(settings.redis_key_prefix)
    return TokenGuard(settings.token_settings, RevocationCheck(redis, keys))
