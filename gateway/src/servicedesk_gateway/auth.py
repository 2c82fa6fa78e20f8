"""The edge token check: who is asking, for the rate limit. Never a gate by itself.

A missing, malformed, badly signed, expired or wrong-type token makes the request
anonymous: it is counted in the client IP's bucket and forwarded with its `Authorization`
header untouched, so the service does its own check and answers 401 itself. Revocation
(deny-listed `jti`, stale `tv`) is checked in Redis by the rate limiter's script, in the same
round trip as the counters.

Verified claims are remembered per token string (`tokens.Remembered`: HMAC verification is
deterministic; expiry is re-checked on every hit), so a busy client does not pay for a
signature check per request.
"""

from __future__ import annotations

import logging
from typing import NamedTuple

from servicedesk_shared import tokens

log = logging.getLogger(__name__)


class Identity(NamedTuple):
    """A verified access token's caller. Anonymous callers have no Identity at all."""

    sub: str
    jti: str
    tv: int
    is_admin: bool
    exp: float


def bearer_token(authorization: bytes | None) -> str | None:
    if not authorization or authorization[:7].lower() != b"bearer ":
        return None
    token = authorization[7:].strip()
    return token.decode("ascii", "replace") if token else None


class TokenChecker:
    def __init__(self, settings: tokens.TokenSettings) -> None:
        self.settings = settings
        self._verified = tokens.Remembered(self._verify, expiry=lambda identity: identity.exp)

    def identify(self, authorization: bytes | None) -> Identity | None:
        """The caller of a valid access token, or None (anonymous)."""
        token = bearer_token(authorization)
        if token is None:
            return None
        try:
            return self._verified(token)
        except tokens.InvalidToken as exc:
            log.debug("token refused at the edge", extra={"reason": exc.reason})
            return None

    def _verify(self, token: str) -> Identity:
        return _identity(tokens.verify_access(self.settings, token))


def _identity(claims: tokens.AccessClaims) -> Identity:
    return Identity(
        sub=claims.sub,
        jti=claims.jti,
        tv=claims.tv,
        is_admin=claims.is_global_admin,
        exp=float(claims.exp),
    )
