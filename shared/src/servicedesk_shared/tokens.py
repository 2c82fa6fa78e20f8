"""HS256 tokens: one key ring, one way to issue, one way to verify, used everywhere.

`JWT_SECRET_KEYS` is `kid:secret[,kid:secret...]`: the first key signs, every key verifies,
so a new key can be introduced and an old one retired without logging everyone out (see
docs/runbooks/key-rotation.md).

Verification pins the algorithm (the header must say exactly `HS256`: `none`, `None`,
`RS256`, `HS512` are all refused before any key is touched), requires a known `kid`, checks
`aud`, `iss`, `exp`, `iat`, the token `type`, and the presence of every required claim.
"""

from __future__ import annotations

import hmac
import time
import uuid
from dataclasses import dataclass
from typing import Any

import jwt

ALGORITHM = "HS256"
ACCESS = "access"
REFRESH = "refresh"
ACCESS_CLAIMS = (
    "sub",
    "username",
    "email",
    "is_admin",
    "roles",
    "systems",
    "type",
    "jti",
    "iat",
    "exp",
    "iss",
    "aud",
)
REFRESH_CLAIMS = ("sub", "type", "jti", "fam", "iat", "exp", "iss", "aud")


class InvalidToken(Exception):
    """The token is not acceptable; `reason` says why (for logs, never for clients)."""

    def __init__(self, reason: str) -> None:
        super().__init__(reason)
        self.reason = reason


class KeyRing:
    """Ordered signing keys by `kid`; the first one signs."""

    def __init__(self, keys: dict[str, str]) -> None:
        if not keys:
            raise ValueError("JWT_SECRET_KEYS holds no key")
        self._keys = keys
        self.signing_kid = next(iter(keys))

    @staticmethod
    def parse(raw: str) -> dict[str, str]:
        keys: dict[str, str] = {}
        for item in raw.split(","):
            item = item.strip()
            if not item:
                continue
            kid, sep, secret = item.partition(":")
            if not sep or not kid.strip() or not secret:
                raise ValueError("JWT_SECRET_KEYS must look like kid:secret[,kid:secret...]")
            keys[kid.strip()] = secret
        return keys

    @classmethod
    def from_string(cls, raw: str) -> KeyRing:
        return cls(cls.parse(raw))

    def get(self, kid: str) -> str | None:
        for known, secret in self._keys.items():
            if hmac.compare_digest(known.encode(), kid.encode()):
                return secret
        return None

    @property
    def signing_key(self) -> str:
        return self._keys[self.signing_kid]


@dataclass(frozen=True, slots=True)
class TokenSettings:
    keyring: KeyRing
    issuer: str
    audience: str


def issue(settings: TokenSettings, *, claims: dict[str, Any], token_type: str, ttl: int) -> str:
    """Sign a token of `token_type` carrying `claims`, valid for `ttl` seconds."""
    now = int(time.time())
    payload = {
        "jti": uuid.uuid4().hex,
        **claims,
        "type": token_type,
        "iat": now,
        "exp": now + ttl,
        "iss": settings.issuer,
        "aud": settings.audience,
    }
    headers = {"kid": settings.keyring.signing_kid}
    return jwt.encode(payload, settings.keyring.signing_key, ALGORITHM, headers=headers)


def verify(settings: TokenSettings, token: str, *, token_type: str = ACCESS) -> dict[str, Any]:
    """Return the claims of a valid token of `token_type`, else raise `InvalidToken`."""
    try:
        header = jwt.get_unverified_header(token)
    except jwt.PyJWTError as exc:
        raise InvalidToken("malformed") from exc
    if header.get("alg") != ALGORITHM:
        raise InvalidToken("algorithm")
    kid = header.get("kid")
    key = settings.keyring.get(kid) if isinstance(kid, str) else None
    if key is None:
        raise InvalidToken("unknown kid")
    required = ACCESS_CLAIMS if token_type == ACCESS else REFRESH_CLAIMS
    try:
        claims = jwt.decode(
            token,
            key,
            algorithms=[ALGORITHM],
            audience=settings.audience,
            issuer=settings.issuer,
            options={"require": list(required)},
        )
    except jwt.ExpiredSignatureError as exc:
        raise InvalidToken("expired") from exc
    except jwt.PyJWTError as exc:
        raise InvalidToken(type(exc).__name__) from exc
    if claims.get("type") != token_type:
        raise InvalidToken("wrong type")
    if not isinstance(claims.get("sub"), str):
        raise InvalidToken("sub")
    return claims
