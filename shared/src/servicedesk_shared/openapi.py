"""OpenAPI helpers: document every error status a route can return, in the one JSON shape."""

from __future__ import annotations

from typing import Any

from pydantic import BaseModel

DESCRIPTIONS = {
    400: "Bad request: a body that is not JSON (e.g. not UTF-8), a malformed path, or "
    "more than one credential",
    405: "Method not allowed (see Allow)",
    401: "Missing, invalid, expired or revoked token",
    403: "Signed in, but not allowed",
    404: "Not found, or not visible to the caller",
    409: "Conflicts with the current state",
    413: "Request body too large",
    415: "Unsupported media type",
    422: "Invalid input",
    429: "Rate limited (see Retry-After)",
    502: "An upstream (e.g. the AI model) answered with something unusable",
    503: "A dependency is unavailable",
}


class ErrorBody(BaseModel):
    detail: str
    code: str


def errors(*codes: int) -> dict[int | str, dict[str, Any]]:
    """`responses=` for a route: each status with its description and the error model."""
    return {code: {"model": ErrorBody, "description": DESCRIPTIONS[code]} for code in codes}
