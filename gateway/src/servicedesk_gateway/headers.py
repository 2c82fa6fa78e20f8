"""Headers the gateway owns: security headers on every response, hop-by-hop filtering.

The security headers follow the OWASP HTTP Headers Cheat Sheet
(https://cheatsheetseries.owasp.org/cheatsheets/HTTP_Headers_Cheat_Sheet.html): the API
answers JSON that no browser should render, frame or sniff, so its CSP is
`default-src 'none'`. `X-XSS-Protection: 0` switches off the legacy XSS auditor, which
caused more leaks than it stopped. The lists are built once; a request only concatenates.

Hop-by-hop headers (RFC 9110 §7.6.1) describe one connection, never the next one, so they
are dropped in both directions, along with any header `Connection` names.
"""

from __future__ import annotations

Headers = list[tuple[bytes, bytes]]

API_CSP = b"default-src 'none'; frame-ancestors 'none'"
# Swagger UI's files are the gateway's own (docs.py): nothing from elsewhere, no inline code.
DOCS_CSP = (
    b"default-src 'self'; script-src 'self'; style-src 'self'; img-src 'self' data:; "
    b"frame-ancestors 'none'"
)
_COMMON: Headers = [
    (b"x-content-type-options", b"nosniff"),
    (b"x-frame-options", b"DENY"),
    (b"referrer-policy", b"no-referrer"),
    (b"x-xss-protection", b"0"),
    (b"cross-origin-opener-policy", b"same-origin"),
    (b"cross-origin-resource-policy", b"same-origin"),
    (
        b"permissions-policy",
        b"camera=(), microphone=(), geolocation=(), payment=(), usb=(), "
        b"interest-cohort=(), browsing-topics=()",
    ),
    (b"cache-control", b"no-store"),
    (b"vary", b"Origin"),
]
HSTS = (b"strict-transport-security", b"max-age=63072000; includeSubDomains")

HOP_BY_HOP = frozenset(
    {b"connection", b"keep-alive", b"te", b"trailer", b"transfer-encoding", b"upgrade"}
)
# Response headers whose upstream value is replaced by ours (or dropped: `server`, `date`,
# which uvicorn writes itself; two Date headers would be a protocol error). `Retry-After`
# is not one: a service's 503 `overloaded` or 429 says when to come back, and the gateway
# sets its own only on answers it makes itself (which never carry a service's headers).
OWNED_RESPONSE = frozenset(
    {name for name, _ in _COMMON}
    | {b"content-security-policy", b"strict-transport-security", b"server", b"date"}
    | {b"x-request-id", b"ratelimit-limit", b"ratelimit-remaining"}
    | {b"ratelimit-reset", b"x-powered-by"}
)
# Request headers the gateway sets itself; a client's copy is never forwarded.
OWNED_REQUEST = frozenset(
    {b"host", b"x-forwarded-for", b"x-forwarded-proto", b"x-forwarded-host", b"forwarded"}
    | {b"x-real-ip", b"x-request-id", b"expect", b"content-length"}
)


def security_headers(*, tls: bool, docs: bool = False) -> Headers:
    """The security headers for an API (or, with `docs`, the Swagger UI) response."""
    headers = [*_COMMON, (b"content-security-policy", DOCS_CSP if docs else API_CSP)]
    return [*headers, HSTS] if tls else headers


def connection_named(headers: Headers) -> frozenset[bytes]:
    """Header names listed in `Connection` (hop-by-hop by declaration), lower-cased."""
    named = [v for k, v in headers if k.lower() == b"connection"]
    if not named:
        return frozenset()
    return frozenset(t.strip().lower() for v in named for t in v.split(b",") if t.strip())


def forwardable(headers: Headers, owned: frozenset[bytes]) -> Headers:
    """`headers` less hop-by-hop ones, those `Connection` names, and those in `owned`."""
    drop = connection_named(headers) | owned
    return [(k, v) for k, v in headers if _keep(k.lower(), drop)]


def _keep(name: bytes, drop: frozenset[bytes]) -> bool:
    # Proxy-* are for the proxy (us); Access-Control-* are ours to decide (see cors.py).
    return (
        name not in HOP_BY_HOP
        and name not in drop
        and not name.startswith((b"proxy-", b"access-control-"))
    )
