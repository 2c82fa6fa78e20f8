"""The gateway's own errors, all answered as `{"detail": "...", "code": "..."}`.

    ServiceError (servicedesk_shared.errors)
    ├── BadRequest        400  bad_path: traversal or encoded separators in the path
    ├── Unauthorized      401  not_authenticated: /api/admin/ops without a valid token
    ├── Forbidden         403  cors_forbidden: a preflight from an origin not allowed;
    │                          admin_required: /api/admin/ops for a non-admin
    ├── NotFound          404  not_found: no public route (incl. /internal, /metrics)
    ├── MethodNotAllowed  405  method_not_allowed: the gateway's own pages and probes
    │                          answer GET and HEAD only (`reads_only`)
    ├── PayloadTooLarge   413  payload_too_large
    ├── TooManyRequests   429  rate_limited (with Retry-After)
    ├── BadGateway        502  bad_gateway: the upstream broke the exchange
    ├── Unavailable       503  upstream_unavailable | rate_limit_unavailable |
    │   │                      auth_state_unavailable (each with Retry-After)
    │   └── Overloaded         overloaded: GATEWAY_MAX_IN_FLIGHT requests already in
    │                          progress (Retry-After: 1; servicedesk_shared.overload)
    └── GatewayTimeout    504  upstream_timeout (with Retry-After)

A service's own answers, 503 `overloaded` and 429 included, pass through with their
`Retry-After`.

`send_error` is the one place any of them becomes a response.
"""

from __future__ import annotations

import orjson

from servicedesk_gateway.headers import Headers
from servicedesk_shared.errors import ServiceError, error_body

JSON = (b"content-type", b"application/json")


class BadGateway(
    ServiceError, status=502, code="bad_gateway", detail="The upstream service failed"
): ...


class MethodNotAllowed(ServiceError):
    status_code, code, detail = 405, "method_not_allowed", "Method not allowed"

    def __init__(self, allow: str = "GET") -> None:
        super().__init__(headers={"Allow": allow})


def reads_only(method: str) -> None:
    """405 unless GET or HEAD: the probes and the gateway's own pages (contract §15)."""
    if method not in ("GET", "HEAD"):
        raise MethodNotAllowed("GET, HEAD")


class GatewayTimeout(
    ServiceError, status=504, code="upstream_timeout", detail="The upstream service timed out"
): ...


async def send_json(send, status: int, body: bytes, headers: Headers) -> int:
    """Send a complete JSON response; returns `status` (for the metrics)."""
    length = (b"content-length", str(len(body)).encode())
    await send(
        {"type": "http.response.start", "status": status, "headers": [JSON, length, *headers]}
    )
    await send({"type": "http.response.body", "body": body})
    return status


async def send_error(send, exc: ServiceError, headers: Headers) -> int:
    body = orjson.dumps(error_body(exc.detail, exc.code))
    extra = [(k.lower().encode(), v.encode()) for k, v in (exc.headers or {}).items()]
    return await send_json(send, exc.status_code, body, [*headers, *extra])
