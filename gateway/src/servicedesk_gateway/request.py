"""What the gateway needs from a request's headers, read in one pass over them."""

from __future__ import annotations

from servicedesk_gateway.headers import Headers
from servicedesk_shared.errors import BadRequest
from servicedesk_shared.requestid import sane_request_id


class Incoming:
    """One request as the gateway sees it; `out` collects the response headers it owes."""

    __slots__ = (
        "authorization",
        "chunked",
        "content_length",
        "forwarded_for",
        "headers",
        "host",
        "identity",
        "label",
        "method",
        "origin",
        "out",
        "preflight",
        "request_id",
    )

    def __init__(self, scope) -> None:
        self.method: str = scope["method"]
        self.headers: Headers = scope["headers"]
        self.label = "unmatched"
        self.identity = None  # the verified, unrevoked caller, once the rate limiter ran
        self.authorization = self.origin = self.host = None
        self.content_length: int | None = None
        self.chunked = self.preflight = False
        forwarded, request_id = [], None
        for name, value in self.headers:
            if name == b"authorization":
                self.authorization = value
            elif name == b"origin":
                self.origin = value
            elif name == b"x-forwarded-for":
                forwarded.append(value)
            elif name == b"content-length":
                self.content_length = _length(value)
            elif name == b"transfer-encoding":
                self.chunked = True
            elif name == b"x-request-id":
                request_id = value
            elif name == b"host":
                self.host = value
            elif name == b"access-control-request-method":
                self.preflight = self.method == "OPTIONS"
        self.forwarded_for = b",".join(forwarded).decode("latin-1") if forwarded else None
        self.request_id = sane_request_id(request_id)
        self.out: Headers = []

    @property
    def has_body(self) -> bool:
        return self.chunked or bool(self.content_length)


def _length(value: bytes) -> int:
    """The declared length; -1 when invalid (uvicorn refuses those already; belt and braces)."""
    return int(value) if value.isdigit() else -1


def check_length(request: Incoming) -> None:
    if request.content_length == -1:
        raise BadRequest("Invalid Content-Length")
