"""HS256 tokens: one key ring, one way to issue, one way to verify, used everywhere.

`JWT_SECRET_KEYS` is `kid:secret[,kid:secret...]`: the first key signs, every key verifies,
so a new key can be introduced and an old one retired without logging everyone out (see
docs/runbooks/key-rotation.md).

Verification pins the algorithm (the header must say exactly `HS256`: `none`, `None`,
`RS256`, `HS512` are all refused before any key is touched), requires a known `kid`, checks
`aud`, `iss`, `exp`, `iat`, the token `type`, and then the TYPE of every claim through a
strict model (`AccessClaims`, `RefreshClaims`): `roles` a list of known role names,
`systems` an object of system -> role, `is_admin` a boolean, `exp`/`iat`/`tv` integers,
`sub` a UUID string. A well-signed token with `roles: "superuser"` or `is_admin: "true"` is
an invalid token, never an admin: nothing downstream reads a claim by substring or
truthiness, because nothing downstream sees an unchecked claim.
"""

from __future__ import annotations

import hmac
import time
import uuid
from collections.abc import Callable
from dataclasses import dataclass
from typing import Any, Generic, TypeVar

import jwt
from pydantic import (
    BaseModel,
    ConfigDict,
    Field,
    StrictBool,
    StrictInt,
    StrictStr,
    ValidationError,
    field_validator,
)

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
GLOBAL_ROLES = frozenset({"user", "admin", "superuser"})
ADMIN_ROLES = frozenset({"admin", "superuser"})
SYSTEM_ROLES = frozenset({"user", "agent", "manager", "admin"})


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


class _Claims(BaseModel):
    """The claims both token types share, strictly typed (no coercion: "1" is not 1)."""

    model_config = ConfigDict(strict=True, extra="ignore", frozen=True)

    sub: StrictStr
    jti: StrictStr = Field(min_length=1, max_length=64)
    iat: StrictInt
    exp: StrictInt
    iss: StrictStr
    aud: StrictStr
    tv: StrictInt = Field(0, ge=0)

    @field_validator("sub")
    @classmethod
    def _uuid(cls, value: str) -> str:
        """A user id: the canonical UUID string auth issues, nothing else."""
        if str(uuid.UUID(value)) != value:
            raise ValueError("sub is not a canonical UUID string")
        return value


class AccessClaims(_Claims):
    type: StrictStr = ACCESS
    username: StrictStr
    email: StrictStr
    is_admin: StrictBool
    roles: list[StrictStr]
    systems: dict[StrictStr, StrictStr]

    @field_validator("roles")
    @classmethod
    def _known_roles(cls, value: list[str]) -> list[str]:
        unknown = set(value) - GLOBAL_ROLES
        if unknown:
            raise ValueError(f"unknown role names {sorted(unknown)}")
        return value

    @field_validator("systems")
    @classmethod
    def _known_system_roles(cls, value: dict[str, str]) -> dict[str, str]:
        if not set(value.values()) <= SYSTEM_ROLES:
            raise ValueError("unknown system role")
        return value

    @property
    def is_superuser(self) -> bool:
        return "superuser" in self.roles  # an element of a checked list, not a substring

    @property
    def is_global_admin(self) -> bool:
        """Admin everywhere: the `is_admin` flag, or the `admin`/`superuser` global role."""
        return self.is_admin or not ADMIN_ROLES.isdisjoint(self.roles)


class RefreshClaims(_Claims):
    type: StrictStr = REFRESH
    fam: StrictStr = Field(min_length=1, max_length=64)


_MODELS: dict[str, type[_Claims]] = {ACCESS: AccessClaims, REFRESH: RefreshClaims}


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
    claims = _decode(settings, token, token_type)
    _typed(claims, token_type)
    return claims


def verify_access(settings: TokenSettings, token: str) -> AccessClaims:
    """The typed claims of a valid access token, else raise `InvalidToken`."""
    return _typed(_decode(settings, token, ACCESS), ACCESS)  # type: ignore[return-value]


def _decode(settings: TokenSettings, token: str, token_type: str) -> dict[str, Any]:
    """Signature, algorithm, kid, aud, iss, exp and the required claims' presence."""
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
    return claims


def _typed(claims: dict[str, Any], token_type: str) -> _Claims:
    try:
        return _MODELS[token_type].model_validate(claims)
    except ValidationError as exc:
        raise InvalidToken(f"claim types: {exc.errors()[0]['loc']}") from None


T = TypeVar("T")


class Remembered(Generic[T]):
    """What `check(token)` made of an access token, remembered by the token's exact string
    until `expiry(value)` (the token's `exp`, checked on every hit): HMAC verification is
    deterministic and the key ring fixed for the process's life, so one signature and claims
    check per token, not per request (~0.2 ms of CPU each). A token `check` refuses (it
    raises) is not remembered. At most `kept` tokens; the lot is dropped when full (access
    tokens live minutes). Used by the gateway's edge check, every service's `TokenGuard` and
    auth's own routes."""

    def __init__(
        self, check: Callable[[str], T], *, expiry: Callable[[T], float], kept: int = 10_000
    ) -> None:
        self.check, self.expiry, self.kept = check, expiry, kept
        self.known: dict[str, T] = {}

    def __call__(self, token: str) -> T:
        value = self.known.get(token)
        if value is not None:
            if self.expiry(value) > time.time():
                return value
            del self.known[token]
        value = self.check(token)
        if len(self.known) >= self.kept:
            self.known.clear()
        self.known[token] = value
        return value
