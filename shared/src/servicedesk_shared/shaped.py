"""A response body already shaped exactly as the route's `response_model` promises (built
from that model's own dump), sent as JSON as it is.

FastAPI validates a returned dict against `response_model` and serializes it again; for
a page of 50 tickets that second pass cost as much as building the page. A route that
returns `shaped(body)` keeps `response_model` for its schema, and a test of the route
validates the body against the model (the promise is checked there, once, not on every
request).
"""

from __future__ import annotations

from typing import Any

import orjson
from fastapi import Response


def shaped(body: Any, status_code: int = 200) -> Response:
    return Response(orjson.dumps(body), status_code=status_code, media_type="application/json")
