"""One value per security-relevant request header, decided before anything reads it.

Two `Authorization` headers let one component act on the first and another on the last
(a revoked token got through that way: the gateway judged one header, the services
another). So a request is refused with `400` before routing when it carries more than one
of the headers below, `Content-Length` together with `Transfer-Encoding` (request
smuggling), or an `Authorization` value holding two credentials (`Bearer a, Bearer b`,
`Bearer a Basic b`). A single `Authorization` that is simply not a valid Bearer token is
not ambiguous: it stays a `401` for the token check to give.

The gateway calls `ambiguity()` on every request; every service wraps its app in
`SingleHeaders`, so its own port refuses the same requests. `X-Forwarded-*` are not here:
the gateway replaces them with its own (believing a client's only from `TRUSTED_PROXIES`),
and the services' uvicorn believes them only from the gateway.
"""

from __future__ import annotations

import orjson

SINGLE = frozenset(
    {
        b"authorization",
        b"host",
        b"content-length",
        b"content-type",
        b"transfer-encoding",
        b"idempotency-key",
        b"x-api-key",
    }
)
CODE = "ambiguous_request"


def ambiguity(headers: list[tuple[bytes, bytes]]) -> str | None:
    """Why these request headers (ASGI: lower-case names) are ambiguous, or None."""
    seen: set[bytes] = set()
    authorization = None
    for name, value in headers:
        if name not in SINGLE:
            continue
        if name in seen:
            return f"More than one {name.decode()} header"
        seen.add(name)
        if name == b"authorization":
            authorization = value
    if b"content-length" in seen and b"transfer-encoding" in seen:
        return "Content-Length together with Transfer-Encoding"
    if authorization is not None and _several_credentials(authorization):
        return "More than one credential in the Authorization header"
    return None


def _several_credentials(value: bytes) -> bool:
    """`scheme credentials` holds one token68; a comma or a third word is a second one."""
    return b"," in value or len(value.split()) > 2


class SingleHeaders:
    """ASGI wrapper answering 400 to an ambiguous request, before routing."""

    def __init__(self, app) -> None:
        self.app = app

    async def __call__(self, scope, receive, send) -> None:
        reason = ambiguity(scope["headers"]) if scope["type"] == "http" else None
        if reason is None:
            await self.app(scope, receive, send)
            return
        body = orjson.dumps({"detail": reason, "code": CODE})
        headers = [(b"content-type", b"application/json"), (b"content-length", b"%d" % len(body))]
        await send({"type": "http.response.start", "status": 400, "headers": headers})
        await send({"type": "http.response.body", "body": body})
