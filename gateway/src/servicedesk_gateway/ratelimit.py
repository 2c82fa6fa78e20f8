"""Rate limits and the deny-list, in ONE Redis round trip per request.

A Lua script (EVALSHA, falling back to EVAL — which also reloads it — on NOSCRIPT after a
Redis restart or failover) does, atomically: for a request bearing a verified token, the
revocation check every service makes (`servicedesk_shared.revocation.STATE_LUA`: the
deny-list is trustworthy, the `jti` is not deny-listed, the user's token version is not
above the token's `tv`); then INCR the
fixed-window counter of the identity bucket (the user's, or the client IP's when anonymous
or revoked) and, for login and register, of the client IP's login/register bucket. Fixed
windows: INCR, PEXPIRE on the first hit, PTTL for the reset
(https://redis.io/glossary/rate-limiting/). The keys of one call may live in different
hash slots: this assumes one Redis (or a Sentinel-managed primary), not Redis Cluster.

Redis unreachable (see README "When Redis is down"): fail closed where it matters —
login/register -> 503 `rate_limit_unavailable` (the login limit never silently vanishes),
a request bearing a valid token -> 503 `auth_state_unavailable` (a logged-out token never
works) — and let anonymous requests through an in-process limiter. After a failure Redis is
left alone for a second, so an outage costs one timeout per second, not one per request.
"""

from __future__ import annotations

import hashlib
import logging
import math
import time
from typing import NamedTuple

from servicedesk_gateway.auth import Identity
from servicedesk_gateway.config import Rate, Settings, parse_rate
from servicedesk_gateway.headers import Headers
from servicedesk_gateway.metrics import RATE_LIMITED, REDIS_ERRORS
from servicedesk_gateway.redisclient import PipelinedRedis, RedisUnavailable, ReplyError
from servicedesk_shared.errors import ServiceError, TooManyRequests, Unavailable
from servicedesk_shared.logging import security_event
from servicedesk_shared.redis import Keys
from servicedesk_shared.revocation import STATE_LUA, state_keys, unavailable

log = logging.getLogger(__name__)

LUA = (
    STATE_LUA
    + """
local function hit(key, window)
  window = tonumber(window)
  local n = redis.call('INCR', key)
  if n == 1 then
    redis.call('PEXPIRE', key, window)
    return {n, window}
  end
  local ttl = redis.call('PTTL', key)
  if ttl < 0 then
    redis.call('PEXPIRE', key, window)
    ttl = window
  end
  return {n, ttl}
end
-- KEYS: sentinel, deny:jti, user tv, user bucket, ip bucket[, login/register bucket]
-- ARGV: has token, token tv, user window ms, ip window ms[, extra window ms]
local authed = 0
if ARGV[1] == '1' then
  authed = token_state(KEYS[1], KEYS[2], KEYS[3], ARGV[2])
  if authed == -1 then return {-1} end
end
local first = authed == 1 and hit(KEYS[4], ARGV[3]) or hit(KEYS[5], ARGV[4])
local result = {authed, first[1], first[2]}
if #KEYS == 6 then
  local extra = hit(KEYS[6], ARGV[5])
  result[4] = extra[1]
  result[5] = extra[2]
end
return result
"""
)
SHA = hashlib.sha1(LUA.encode(), usedforsecurity=False).hexdigest()  # Redis's script id
REDIS_PAUSE_S = 1.0
_BUCKET_HEADERS = (b"ratelimit-limit", b"ratelimit-remaining", b"ratelimit-reset")


class Bucket(NamedTuple):
    name: str
    rate: Rate


class Count(NamedTuple):
    bucket: Bucket
    hits: int
    reset_ms: int

    @property
    def remaining(self) -> int:
        return max(0, self.bucket.rate.limit - self.hits)

    @property
    def over(self) -> bool:
        return self.hits > self.bucket.rate.limit


class Verdict(NamedTuple):
    headers: Headers
    error: ServiceError | None = None
    authenticated: bool = False  # a valid token that is not revoked: the caller is known


def _headers(count: Count) -> Headers:
    values = (count.bucket.rate.limit, count.remaining, math.ceil(count.reset_ms / 1000))
    return [(name, str(v).encode()) for name, v in zip(_BUCKET_HEADERS, values, strict=True)]


def verdict(counts: list[Count]) -> Verdict:
    """429 if any bucket is over; headers of the tightest bucket either way."""
    over = [c for c in counts if c.over]
    if over:
        worst = max(over, key=lambda c: c.reset_ms)
        for count in over:
            RATE_LIMITED.labels(count.bucket.name).inc()
        retry = str(max(1, math.ceil(worst.reset_ms / 1000)))
        return Verdict(_headers(worst), TooManyRequests(headers={"Retry-After": retry}))
    return Verdict(_headers(min(counts, key=lambda c: (c.remaining, c.reset_ms))))


class LocalWindow:
    """In-process fixed windows: the anonymous limit while Redis is unreachable.

    Per process, so N replicas allow N times the limit; good enough for minutes of outage.
    """

    def __init__(self, bucket: Bucket, max_keys: int = 50_000) -> None:
        self.bucket = bucket
        self.max_keys = max_keys
        self._windows: dict[str, list[float]] = {}

    def hit(self, key: str) -> Count:
        now = time.monotonic()
        window = self._windows.get(key)
        if window is None or window[1] <= now:
            if len(self._windows) >= self.max_keys:
                self._windows.clear()
            window = self._windows[key] = [0, now + self.bucket.rate.window_s]
        window[0] += 1
        return Count(self.bucket, int(window[0]), int((window[1] - now) * 1000))


class RateLimiter:
    def __init__(self, redis: PipelinedRedis, settings: Settings) -> None:
        self.redis = redis
        self.keys = Keys(settings.redis_key_prefix)
        self.login = Bucket("login", parse_rate(settings.rate_limit_login))
        self.register = Bucket("register", parse_rate(settings.rate_limit_register))
        self.anon = Bucket("anon", parse_rate(settings.rate_limit_anon))
        self.user = Bucket("user", parse_rate(settings.rate_limit_user))
        self.admin = Bucket("admin", parse_rate(settings.rate_limit_admin))
        self.fallback = LocalWindow(self.anon)
        self._redis_paused_until = 0.0

    def extra_bucket(self, method: str, key: str) -> Bucket | None:
        """The login/register bucket this request also counts against, if any."""
        if method == "POST":
            if key == "/api/token":
                return self.login
            if key == "/api/auth/register":
                return self.register
        return None

    async def check(self, ip: str, identity: Identity | None, extra: Bucket | None) -> Verdict:
        """Count the request; the headers to add, or the error to answer instead."""
        if time.monotonic() >= self._redis_paused_until:
            try:
                return await self._check_redis(ip, identity, extra)
            except (RedisUnavailable, ReplyError) as exc:
                self._redis_failed(exc)
        return self._check_degraded(ip, identity, extra)

    async def _check_redis(self, ip: str, identity: Identity | None, extra: Bucket | None):
        user = self.admin if identity and identity.is_admin else self.user
        keys, args = self._script_input(ip, identity, user, extra)
        result = await self._run_script(keys, args)
        if result[0] == -1:
            security_event("denylist_not_ready", ip=ip, sub=identity and identity.sub)
            return Verdict([], unavailable())
        if identity is not None and result[0] == 0:
            security_event("revoked_token", ip=ip, sub=identity.sub, jti=identity.jti)
        counts = [Count(user if result[0] == 1 else self.anon, result[1], result[2])]
        if extra is not None:
            counts.append(Count(extra, result[3], result[4]))
        return verdict(counts)._replace(authenticated=result[0] == 1)

    async def _run_script(self, keys: list[str], args: list[str]) -> list[int]:
        try:
            return await self.redis.execute("EVALSHA", SHA, len(keys), *keys, *args)
        except ReplyError as exc:
            if not str(exc).startswith("NOSCRIPT"):
                raise
            return await self.redis.execute("EVAL", LUA, len(keys), *keys, *args)

    def _script_input(self, ip, identity, user: Bucket, extra: Bucket | None):
        k = self.keys
        sentinel = k.denylist_ready
        if identity is None:
            keys = [sentinel, sentinel, sentinel, sentinel, k.rate("anon", ip)]
            args = ["0", "0", "0", _ms(self.anon)]
        else:
            keys = state_keys(k, sub=identity.sub, jti=identity.jti)
            keys += [k.rate(user.name, identity.sub), k.rate("anon", ip)]
            args = ["1", str(identity.tv), _ms(user), _ms(self.anon)]
        if extra is not None:
            keys.append(k.rate(extra.name, ip))
            args.append(_ms(extra))
        return keys, args

    def _redis_failed(self, exc: BaseException) -> None:
        REDIS_ERRORS.inc()
        self._redis_paused_until = time.monotonic() + REDIS_PAUSE_S
        log.error("redis unreachable; failing closed", extra={"error": str(exc)})

    def _check_degraded(self, ip: str, identity: Identity | None, extra: Bucket | None):
        if extra is not None:
            return Verdict([], _rate_limit_unavailable())
        if identity is not None:
            return Verdict([], unavailable())
        return verdict([self.fallback.hit(ip)])


def _ms(bucket: Bucket) -> str:
    return str(bucket.rate.window_s * 1000)


def _rate_limit_unavailable() -> Unavailable:
    detail = "Rate limiting is unavailable; retry shortly"
    return Unavailable(detail, code="rate_limit_unavailable", headers={"Retry-After": "5"})
