"""CORS: an exact-match allow-list of origins; everyone else gets no CORS headers at all.

Origins are compared whole (scheme, host and port, case-sensitively, after dropping a
default port), never by prefix, suffix or regex, so `http://localhost:5173.evil.com` and
`http://evil-localhost:5173` are strangers. `null` (sandboxed frames, `file:` pages) is never
allowed. The allowed origin is echoed, never `*`, and only then with credentials
(https://developer.mozilla.org/en-US/docs/Web/HTTP/CORS#requests_with_credentials).
"""

from __future__ import annotations

from servicedesk_gateway.config import split_list
from servicedesk_gateway.headers import Headers

_DEFAULT_PORTS = {"http": ":80", "https": ":443"}
ALLOW_METHODS = b"GET, POST, PUT, PATCH, DELETE, OPTIONS"
ALLOW_HEADERS = b"Authorization, Content-Type, Idempotency-Key, X-Request-ID"
EXPOSE_HEADERS = (
    b"X-Request-ID, RateLimit-Limit, RateLimit-Remaining, RateLimit-Reset, Retry-After, "
    b"Content-Disposition"
)
MAX_AGE = b"600"


def normalise_origin(origin: str) -> str:
    """`https://a.example:443/` -> `https://a.example`; anything else as written."""
    origin = origin.strip().rstrip("/")
    scheme, sep, _ = origin.partition("://")
    default = _DEFAULT_PORTS.get(scheme)
    if sep and default and origin.endswith(default):
        return origin[: -len(default)]
    return origin


class Cors:
    def __init__(self, allowed_origins: str) -> None:
        self.allowed = frozenset(
            normalise_origin(o) for o in split_list(allowed_origins) if o != "null"
        )

    def allows(self, origin: bytes | None) -> bool:
        if not origin:
            return False
        try:
            text = origin.decode("ascii")
        except UnicodeDecodeError:
            return False
        return text != "null" and normalise_origin(text) in self.allowed

    def headers(self, origin: bytes | None) -> Headers:
        """Headers for an actual (non-preflight) response."""
        if not self.allows(origin):
            return []
        assert origin is not None
        return [
            (b"access-control-allow-origin", origin),
            (b"access-control-allow-credentials", b"true"),
            (b"access-control-expose-headers", EXPOSE_HEADERS),
        ]

    def preflight_headers(self, origin: bytes) -> Headers:
        return [
            (b"access-control-allow-origin", origin),
            (b"access-control-allow-credentials", b"true"),
            (b"access-control-allow-methods", ALLOW_METHODS),
            (b"access-control-allow-headers", ALLOW_HEADERS),
            (b"access-control-max-age", MAX_AGE),
        ]
