"""The one JSON error shape, `{"detail": "...", "code": "..."}`, and its handlers.

    ServiceError                 status, code, detail (each service subclasses this tree)
    ├── BadRequest          400
    ├── Unauthorized        401
    ├── Forbidden           403
    ├── NotFound            404
    ├── Conflict            409
    ├── PayloadTooLarge     413
    ├── UnsupportedMedia    415
    ├── Unprocessable       422  (may carry `errors`: a list of what was wrong)
    ├── TooManyRequests     429  (carries `retry_after`)
    └── Unavailable         503
        └── Overloaded           overloaded: at capacity (in-flight or DB pool bound),
                                 with `Retry-After` (see overload.py)

`install_error_handlers(app)` maps these, FastAPI's validation errors, Starlette's HTTP
errors and anything unexpected (500, logged, never a traceback to the client).
"""

from __future__ import annotations

import logging
from typing import Any

from fastapi import FastAPI, Request
from fastapi.exceptions import RequestValidationError
from fastapi.responses import JSONResponse
from sqlalchemy.exc import DBAPIError
from starlette.exceptions import HTTPException as StarletteHTTPException
from starlette.routing import Match

log = logging.getLogger(__name__)
# SQLSTATEs that say "the database cannot take this connection now", not "this request is
# wrong": too_many_connections (max_connections reached, e.g. replicas times pools), the server
# starting up or shutting down, and the connection_exception class (08xxx).
UNAVAILABLE_STATES = {"53300", "57P01", "57P02", "57P03"}


def unavailable_state(error: object) -> bool:
    """The driver's error carries one of those SQLSTATEs (`sqlstate`, as asyncpg's do)."""
    state = str(getattr(error, "sqlstate", "") or "")
    return state in UNAVAILABLE_STATES or state.startswith("08")


def _database_unavailable(exc: DBAPIError) -> bool:
    """The pool lost its connection, or PostgreSQL refused a new one (a transient state the
    client should retry, answered 503 with Retry-After, never a 500)."""
    return exc.connection_invalidated or unavailable_state(exc.orig)


def _unavailable(detail: str) -> JSONResponse:
    return JSONResponse(error_body(detail, "unavailable"), 503, headers={"Retry-After": "1"})


class ServiceError(Exception):
    status_code = 500
    code = "internal_error"
    detail = "Internal server error"
    # True: the request's transaction commits before this error answers (`transaction`).
    keep_changes = False

    def __init_subclass__(
        cls,
        *,
        status: int | None = None,
        code: str | None = None,
        detail: str | None = None,
        keep_changes: bool | None = None,
        **kwargs: Any,
    ) -> None:
        """An error is declared on one line: `class X(NotFound, detail="X not found"): ...`
        (what is not given is inherited)."""
        super().__init_subclass__(**kwargs)
        for name, value in (
            ("status_code", status),
            ("code", code),
            ("detail", detail),
            ("keep_changes", keep_changes),
        ):
            if value is not None:
                setattr(cls, name, value)

    def __init__(
        self,
        detail: str | None = None,
        *,
        code: str | None = None,
        errors: list[Any] | None = None,
        headers: dict[str, str] | None = None,
    ) -> None:
        self.detail = detail or self.detail
        self.code = code or self.code
        self.errors = errors
        self.headers = headers
        super().__init__(self.detail)


class BadRequest(ServiceError, status=400, code="bad_request", detail="Bad request"): ...


class Unauthorized(ServiceError, status=401, code="not_authenticated", detail="Not authenticated"):
    def __init__(self, detail: str | None = None, **kwargs: Any) -> None:
        kwargs.setdefault("headers", {"WWW-Authenticate": "Bearer"})
        super().__init__(detail, **kwargs)


class Forbidden(ServiceError, status=403, code="forbidden", detail="You may not do this"): ...


class NotFound(ServiceError, status=404, code="not_found", detail="Not found"): ...


class Conflict(ServiceError, status=409, code="conflict", detail="Conflict"): ...


class PayloadTooLarge(
    ServiceError, status=413, code="payload_too_large", detail="Request body too large"
): ...


class UnsupportedMedia(
    ServiceError, status=415, code="unsupported_media_type", detail="Unsupported media type"
): ...


class Unprocessable(ServiceError, status=422, code="validation_error", detail="Invalid input"): ...


class TooManyRequests(
    ServiceError, status=429, code="rate_limited", detail="Too many requests"
): ...


class Unavailable(ServiceError, status=503, code="unavailable", detail="Service unavailable"): ...


class Overloaded(
    Unavailable, code="overloaded", detail="The service is at capacity; retry shortly"
):
    def __init__(self, detail: str | None = None, **kwargs: Any) -> None:
        kwargs.setdefault("headers", {"Retry-After": "1"})
        super().__init__(detail, **kwargs)


_METHODS = ("GET", "HEAD", "POST", "PUT", "PATCH", "DELETE")
STATUS_CODES = {
    400: "bad_request",
    401: "not_authenticated",
    403: "forbidden",
    404: "not_found",
    405: "method_not_allowed",
    409: "conflict",
    413: "payload_too_large",
    415: "unsupported_media_type",
    422: "validation_error",
    429: "rate_limited",
    503: "unavailable",
}


def error_body(detail: str, code: str, errors: list[Any] | None = None) -> dict[str, Any]:
    body: dict[str, Any] = {"detail": detail, "code": code}
    if errors:
        body["errors"] = errors
    return body


def _validation_errors(exc: RequestValidationError) -> list[dict[str, Any]]:
    """Pydantic's errors without the echoed input (it may hold a password); a key the client
    sent may hold a lone surrogate, which UTF-8 cannot carry, so it is escaped."""
    return [
        {
            "loc": [_utf8(part) for part in e.get("loc", ())],
            "msg": _utf8(e.get("msg", "")),
            "type": e.get("type", ""),
        }
        for e in exc.errors()
    ]


def _utf8(value: Any) -> Any:
    if isinstance(value, str):
        return value.encode("utf-8", "backslashreplace").decode("utf-8")
    return value


def allowed_methods(request: Request) -> str:
    """Every method some route answers on this path. FastAPI has a route per method and
    Starlette's 405 names only the first one's, so ask every route about every method."""
    routes = request.app.router.routes
    allowed = [
        method
        for method in _METHODS
        if any(r.matches({**request.scope, "method": method})[0] == Match.FULL for r in routes)
    ]
    return ", ".join(allowed)


def install_error_handlers(app: FastAPI) -> None:
    @app.exception_handler(ServiceError)
    async def _service_error(_: Request, exc: ServiceError) -> JSONResponse:
        return JSONResponse(
            error_body(exc.detail, exc.code, exc.errors), exc.status_code, headers=exc.headers
        )

    @app.exception_handler(RequestValidationError)
    async def _validation(_: Request, exc: RequestValidationError) -> JSONResponse:
        errors = _validation_errors(exc)
        summary = "; ".join(f"{'.'.join(map(str, e['loc']))}: {e['msg']}" for e in errors)
        return JSONResponse(error_body(summary or "Invalid input", "validation_error", errors), 422)

    @app.exception_handler(StarletteHTTPException)
    async def _http(request: Request, exc: StarletteHTTPException) -> JSONResponse:
        code = STATUS_CODES.get(exc.status_code, "error")
        headers = dict(getattr(exc, "headers", None) or {})
        if exc.status_code == 405:
            headers["Allow"] = allowed_methods(request)
        return JSONResponse(error_body(str(exc.detail), code), exc.status_code, headers=headers)

    @app.exception_handler(DBAPIError)
    async def _database(_: Request, exc: DBAPIError) -> JSONResponse:
        if _database_unavailable(exc):
            log.warning("database unavailable (the pool reconnects): %s", exc.orig)
            return _unavailable("Database unavailable, retry shortly")
        log.exception("database error", exc_info=exc)
        return JSONResponse(error_body("Internal server error", "internal_error"), 500)

    @app.exception_handler(ConnectionError)
    async def _refused(_: Request, exc: ConnectionError) -> JSONResponse:
        """A dependency refused or dropped the connection (asyncpg raises the OS error as
        it is when PostgreSQL is not listening): transient, 503."""
        log.warning("dependency unavailable: %r", exc)
        return _unavailable("A dependency is unavailable, retry shortly")

    @app.exception_handler(Exception)
    async def _unexpected(_: Request, exc: Exception) -> JSONResponse:
        log.exception("unhandled error", exc_info=exc)
        return JSONResponse(error_body("Internal server error", "internal_error"), 500)
