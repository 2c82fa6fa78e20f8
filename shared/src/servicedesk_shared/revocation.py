"""Is this verified access token still good? The one revocation check, everywhere.

Auth writes two kinds of revocation into Redis (`servicedesk_auth.denylist`):
`deny:jti:<jti>` for a logged-out access token, and `user:<sub>:tv`, the user's token
version, raised by a password change, "sign out everywhere", a deactivation or a change of
roles. A token is revoked when its `jti` is deny-listed or its `tv` claim is below the
user's version. When Redis has lost its data the `denylist:ready` sentinel is gone with it,
and nobody can tell a revoked token from a good one until auth has restored the list from
PostgreSQL.

`STATE_LUA` decides that inside Redis, in one round trip: 1 good, 0 revoked, -1
unknown (sentinel missing). The gateway embeds the same function in its rate-limit script
(so revocation and counters still cost one round trip there); the services run it alone
through `RevocationCheck`. Both answer the same way:

    good      -> the request goes on
    revoked   -> 401 `token_revoked`
    unknown   -> 503 `auth_state_unavailable`, Retry-After: 5
    Redis down-> 503 `auth_state_unavailable`, Retry-After: 5   (never "let it through")
"""

from __future__ import annotations

import logging

import redis.asyncio as aioredis
from redis.exceptions import RedisError

from servicedesk_shared.errors import Unauthorized, Unavailable
from servicedesk_shared.logging import security_event
from servicedesk_shared.redis import Keys
from servicedesk_shared.tokens import AccessClaims

log = logging.getLogger(__name__)

GOOD, REVOKED, UNKNOWN = 1, 0, -1

STATE_LUA = """
local function token_state(sentinel, jti_key, tv_key, tv)
  if redis.call('EXISTS', sentinel) == 0 then return -1 end
  if redis.call('EXISTS', jti_key) == 1 then return 0 end
  local version = tonumber(redis.call('GET', tv_key) or '0')
  if version == nil or version > tonumber(tv) then return 0 end
  return 1
end
"""
_CHECK_LUA = STATE_LUA + "return token_state(KEYS[1], KEYS[2], KEYS[3], ARGV[1])\n"
RETRY_AFTER = "5"


def state_keys(keys: Keys, *, sub: str, jti: str) -> list[str]:
    """The three keys `token_state` reads, in its order."""
    return [keys.denylist_ready, keys.deny_jti(jti), keys.token_version(sub)]


def unavailable() -> Unavailable:
    return Unavailable(
        "Token revocation state is unavailable; retry shortly",
        code="auth_state_unavailable",
        headers={"Retry-After": RETRY_AFTER},
    )


def revoked() -> Unauthorized:
    return Unauthorized("Token revoked", code="token_revoked")


class RevocationCheck:
    """A service's check of one token: a single EVALSHA (EVAL on NOSCRIPT, by redis-py)."""

    def __init__(self, redis: aioredis.Redis, keys: Keys) -> None:
        self.keys = keys
        self._script = redis.register_script(_CHECK_LUA)

    async def state(self, claims: AccessClaims) -> int:
        keys = state_keys(self.keys, sub=claims.sub, jti=claims.jti)
        return int(await self._script(keys=keys, args=[claims.tv]))

    async def ensure_good(self, claims: AccessClaims) -> None:
        """Return if the token is not revoked; raise the 401 or 503 it earned otherwise."""
        try:
            state = await self.state(claims)
        except (RedisError, OSError) as exc:
            log.error("redis unreachable; refusing tokens", extra={"error": str(exc)})
            raise unavailable() from None
        if state == GOOD:
            return
        if state == REVOKED:
            security_event("revoked_token", sub=claims.sub, jti=claims.jti)
            raise revoked()
        security_event("denylist_not_ready", sub=claims.sub)
        raise unavailable()
