"""A tiny real upstream for the gateway's tests: echoes what it received, and misbehaves
on request. Served by uvicorn on a free port in a background thread."""

from __future__ import annotations

import asyncio
import socket
import threading

import orjson
import uvicorn

from servicedesk_devtools.testing import eventually_sync

OPENAPI = {
    "openapi": "3.1.0",
    "info": {"title": "echo", "version": "1"},
    "paths": {
        "/api/tickets/": {
            "get": {"responses": {"200": {"description": "OK"}}},
            "post": {
                "requestBody": {"content": {"application/json": {"schema": {}}}},
                "responses": {
                    "201": {"description": "Created"},
                    "422": {
                        "description": "Validation Error",
                        "content": {
                            "application/json": {
                                "schema": {"$ref": "#/components/schemas/HTTPValidationError"}
                            }
                        },
                    },
                },
            },
        },
        "/api/tickets/{ticket_id}": {
            "get": {"responses": {"200": {"description": "OK"}, "404": {"description": "Nope"}}}
        },
        "/internal/x": {"post": {"responses": {"200": {"description": "OK"}}}},
        "/metrics": {"get": {"responses": {"200": {"description": "OK"}}}},
        "/healthz": {"get": {"responses": {"200": {"description": "OK"}}}},
    },
    "components": {"schemas": {"HTTPValidationError": {"type": "object"}}},
}
# What a service's `/metrics` says, for `GET /api/admin/ops` (never reachable via the gateway).
METRICS = b"""# TYPE outbox_pending gauge
outbox_pending{producer="tickets"} 3.0
# TYPE outbox_lag_seconds gauge
outbox_lag_seconds{producer="tickets"} 1.5
# TYPE events_published_total counter
events_published_total{producer="tickets",type="ticket.created"} 5.0
events_published_total{producer="tickets",type="ticket.updated"} 2.0
# TYPE events_consumed_total counter
events_consumed_total{consumer="notifications",type="ticket.created",outcome="ok"} 4.0
# TYPE events_dead_lettered_total counter
events_dead_lettered_total{consumer="notifications",reason="poison"} 1.0
# TYPE auth_login_failures_total counter
auth_login_failures_total{reason="bad_password"} 6.0
"""
MISBEHAVING_HEADERS = [
    (b"x-frame-options", b"SAMEORIGIN"),
    (b"content-security-policy", b"default-src *"),
    (b"cache-control", b"public, max-age=3600"),
    (b"access-control-allow-origin", b"*"),
    (b"keep-alive", b"timeout=99"),
    (b"proxy-agent", b"echo"),
    (b"connection", b"x-hop"),
    (b"x-hop", b"secret"),
    (b"x-upstream", b"echo"),
]

# What the tickets service sends with an attachment download: stricter than the gateway's.
STRICT_HEADERS = [
    (b"content-security-policy", b"default-src 'none'; sandbox"),
    (b"cache-control", b"private, no-store"),
    (b"content-disposition", b'attachment; filename="x.png"'),
    (b"x-frame-options", b"DENY"),
    (b"permissions-policy", b"camera=(self), fullscreen=()"),
    (b"vary", b"Accept-Encoding"),
]
OVERLOADED = b'{"detail":"The service is at capacity; retry shortly","code":"overloaded"}'
# A CSP that lets itself be framed and loads from anywhere: the gateway's 'none's win.
LAX_CSP = [(b"content-security-policy", b"sandbox; frame-ancestors *; img-src *")]


async def _body_length(receive) -> int:
    total, more = 0, True
    while more:
        message = await receive()
        total += len(message.get("body", b""))
        more = message.get("more_body", False)
    return total


async def _send(send, status: int, body: bytes, headers=()) -> None:
    await send(
        {
            "type": "http.response.start",
            "status": status,
            "headers": [(b"content-type", b"application/json"), *headers],
        }
    )
    await send({"type": "http.response.body", "body": body})


async def _stream(send) -> None:
    await send({"type": "http.response.start", "status": 200, "headers": []})
    for _ in range(3):
        await send({"type": "http.response.body", "body": b"x" * 100_000, "more_body": True})
        await asyncio.sleep(0.05)
    await send({"type": "http.response.body", "body": b""})


async def echo(scope, receive, send) -> None:
    assert scope["type"] == "http"
    path = scope["path"]
    if path == "/openapi.json":
        return await _send(send, 200, orjson.dumps(OPENAPI))
    if path == "/readyz":
        return await _send(send, 200, b'{"status":"ready","dependencies":{"database":"ok"}}')
    if path == "/metrics":
        return await _send(send, 200, METRICS, [(b"content-type", b"text/plain")])
    if path == "/api/tickets/stream":
        return await _stream(send)
    if path == "/api/tickets/sleep":
        await asyncio.sleep(1.5)
    if path == "/api/tickets/strict":
        return await _send(send, 200, b"\x89PNG", STRICT_HEADERS)
    if path == "/api/tickets/lax":
        return await _send(send, 200, b"{}", LAX_CSP)
    if path == "/api/tickets/boom":
        return await _send(send, 500, b'{"detail":"boom","code":"internal_error"}')
    if path == "/api/tickets/overloaded":  # what a service at its in-flight bound answers
        return await _send(send, 503, OVERLOADED, [(b"retry-after", b"1")])
    query = scope["query_string"].decode()
    status = int(query.split("status=")[1].split("&")[0]) if "status=" in query else 200
    body = {
        "method": scope["method"],
        "path": path,
        "raw_path": scope["raw_path"].decode(),
        "query": query,
        "headers": [[k.decode(), v.decode()] for k, v in scope["headers"]],
        "body_length": await _body_length(receive),
    }
    await _send(send, status, orjson.dumps(body), MISBEHAVING_HEADERS)


def free_port() -> int:
    with socket.socket() as sock:
        sock.bind(("127.0.0.1", 0))
        return sock.getsockname()[1]


class Upstream:
    """The echo app on 127.0.0.1:`port`, in a thread of its own."""

    def __init__(self) -> None:
        self.port = free_port()
        config = uvicorn.Config(
            echo, port=self.port, log_level="warning", lifespan="off", ws="none", loop="asyncio"
        )
        self.server = uvicorn.Server(config)
        self.thread = threading.Thread(target=self.server.run, daemon=True)

    @property
    def url(self) -> str:
        return f"http://127.0.0.1:{self.port}"

    def __enter__(self) -> Upstream:
        self.thread.start()
        eventually_sync(lambda: self.server.started, every=0.01)
        return self

    def __exit__(self, *exc) -> None:
        self.server.should_exit = True
        self.thread.join(5)
