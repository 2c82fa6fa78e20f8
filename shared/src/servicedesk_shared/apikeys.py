"""Service-to-service API keys (`NOTIFICATION_API_KEYS`, `AI_ASSIST_API_KEYS`,
`AUTH_API_KEYS`): only SHA-256 digests are kept, compared in constant time; one FastAPI
dependency (`api_key_dependency`) guards every `/internal/*` route.

Every configured key is compared on every call (no early exit that would tell which one
matched); several keys are valid at once so a new one can be rolled out before the old
one is retired. No key configured: every call is refused.
"""

from __future__ import annotations

import hashlib
import hmac
from collections.abc import Callable

from fastapi import Depends, Request
from fastapi.security import APIKeyHeader

from servicedesk_shared.errors import Unauthorized
from servicedesk_shared.logging import security_event


def _digest(key: str) -> bytes:
    return hashlib.sha256(key.encode()).digest()


class ApiKeys:
    def __init__(self, keys: list[str]) -> None:
        self._digests = [_digest(key) for key in keys]

    def __len__(self) -> int:
        return len(self._digests)

    def verify(self, presented: str | None) -> bool:
        if not presented or not self._digests:
            return False
        digest = _digest(presented)
        matched = False
        for known in self._digests:
            matched |= hmac.compare_digest(known, digest)
        return matched


class ApiKeyInvalid(Unauthorized):
    code, detail = "invalid_api_key", "A valid X-API-Key header is required"

    def __init__(self, detail: str | None = None) -> None:
        super().__init__(detail, headers={"WWW-Authenticate": "ApiKey"})


def api_key_dependency(get_keys: Callable[..., ApiKeys], *, variable: str):
    """A dependency answering 401 `invalid_api_key` unless `X-API-Key` is one of the keys
    `get_keys` gives (none configured: always 401); every refusal is a security event."""
    header = APIKeyHeader(name="X-API-Key", auto_error=False, description=f"One of {variable}")

    # Defaults, not `Annotated`: with postponed annotations FastAPI would look `header` and
    # `get_keys` up in the module's globals, where these closures' names do not exist.
    async def require_api_key(
        request: Request, keys: ApiKeys = Depends(get_keys), key: str | None = Depends(header)
    ) -> None:
        if keys.verify(key):
            return
        reason = "no keys configured" if not len(keys) else ("missing" if not key else "wrong")
        peer = request.client.host if request.client else None
        security_event("api_key_rejected", ip=peer, reason=reason, path=request.url.path)
        raise ApiKeyInvalid()

    return require_api_key
