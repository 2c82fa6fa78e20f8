"""Request dependencies as `Annotated` aliases: the runtime, the transaction, the caller.

The runtime, `SessionDep` (the request's one transaction: it commits after the handler
returns and before the response is sent) and the key check are the shared ones
(`servicedesk_shared.deps`). The caller is auth's own: `CurrentUser` is checked against
its tables (logged out, token version, still active), not the other services'
`CurrentPrincipal` read from the token alone. `Connections` borrows a pooled asyncpg
connection for a block, outside any transaction (`servicedesk_shared.reads`): `/me` reads
on one, the sign-in borrows one for its read and another for its writes, holding none
while it hashes.
"""

from __future__ import annotations

from typing import Annotated, Any

from fastapi import Depends, Request
from fastapi.security import HTTPAuthorizationCredentials, HTTPBearer

from servicedesk_auth.errors import Forbidden, TokenInvalid
from servicedesk_auth.runtime import Runtime
from servicedesk_auth.sessions.tokens import user_for_claims
from servicedesk_auth.users.models import User
from servicedesk_shared import tokens
from servicedesk_shared.deps import Connections as Connections
from servicedesk_shared.deps import SessionDep as SessionDep
from servicedesk_shared.deps import api_key_check, get_runtime
from servicedesk_shared.deps import get_connections as get_connections
from servicedesk_shared.deps import get_session as get_session
from servicedesk_shared.errors import Unauthorized
from servicedesk_shared.logging import security_event

bearer = HTTPBearer(auto_error=False, description="An access token from POST /api/token")


RuntimeDep = Annotated[Runtime, Depends(get_runtime)]
require_api_key = api_key_check("AUTH_API_KEYS")


async def access_claims(
    runtime: RuntimeDep,
    credentials: Annotated[HTTPAuthorizationCredentials | None, Depends(bearer)],
) -> dict[str, Any]:
    """The verified claims of the Bearer access token (signature, kid, aud, iss, exp, type),
    checked once per token (`runtime.access`), `exp` on every request."""
    if credentials is None:
        raise Unauthorized()
    try:
        return runtime.access(credentials.credentials)
    except tokens.InvalidToken as exc:
        raise TokenInvalid() from exc


AccessClaims = Annotated[dict[str, Any], Depends(access_claims)]


async def current_user(session: SessionDep, claims: AccessClaims) -> User:
    """The caller, checked against PostgreSQL: not logged out, token version, still active."""
    return await user_for_claims(session, claims=claims)


CurrentUser = Annotated[User, Depends(current_user)]


async def admin_user(request: Request, user: CurrentUser) -> User:
    """A global admin or superuser; anyone else gets 403 and a security event."""
    if not (user.is_admin or user.is_superuser):
        security_event("access_denied", user_id=str(user.id), path=request.url.path)
        raise Forbidden("Administrators only")
    return user


AdminUser = Annotated[User, Depends(admin_user)]


async def superuser(request: Request, user: CurrentUser) -> User:
    """A superuser; anyone else gets 403 and a security event."""
    if not user.is_superuser:
        security_event("access_denied", user_id=str(user.id), path=request.url.path)
        raise Forbidden("Superusers only")
    return user


SuperUser = Annotated[User, Depends(superuser)]


def client_ip(request: Request) -> str:
    """The TCP peer, or the gateway's X-Forwarded-For when uvicorn trusts the gateway."""
    return request.client.host if request.client else "unknown"
