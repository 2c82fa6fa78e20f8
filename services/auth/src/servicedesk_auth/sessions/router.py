"""`/api/token`, `/api/token/refresh`, `/api/auth/logout`, `/api/auth/logout-all`."""

from __future__ import annotations

from typing import Any

import orjson
from fastapi import APIRouter, Request, Response
from fastapi.exceptions import RequestValidationError
from pydantic import ValidationError

from servicedesk_auth.deps import (
    AccessClaims,
    Connections,
    CurrentUser,
    RuntimeDep,
    SessionDep,
    client_ip,
)
from servicedesk_auth.sessions import login, service
from servicedesk_auth.sessions.schemas import LoginRequest, LogoutRequest, RefreshRequest, TokenPair
from servicedesk_shared.openapi import errors

router = APIRouter(tags=["auth"])

FORM = "application/x-www-form-urlencoded"
LOGIN_BODY = {
    "requestBody": {
        "required": True,
        "content": {
            "application/json": {"schema": LoginRequest.model_json_schema()},
            FORM: {"schema": LoginRequest.model_json_schema()},
        },
    }
}


async def read_login(request: Request) -> LoginRequest:
    """The body as JSON, or as the form of OAuth2's password flow; 422 when neither parses."""
    content_type = request.headers.get("content-type", "").split(";")[0].strip().lower()
    try:
        if content_type in (FORM, "multipart/form-data"):
            form = await request.form()
            return LoginRequest.model_validate(
                {k: v for k, v in form.items() if isinstance(v, str)}
            )
        return LoginRequest.model_validate(orjson.loads(await request.body()))
    except orjson.JSONDecodeError as exc:
        raise RequestValidationError([_json_error(exc)]) from exc
    except ValidationError as exc:
        raise RequestValidationError(exc.errors(include_input=False)) from exc


def _json_error(exc: orjson.JSONDecodeError) -> dict[str, Any]:
    return {"loc": ("body",), "msg": f"JSON decode error: {exc.msg}", "type": "json_invalid"}


@router.post(
    "/api/token",
    response_model=TokenPair,
    openapi_extra=LOGIN_BODY,
    responses=errors(401, 422, 429),
)
async def token(request: Request, connections: Connections, runtime: RuntimeDep) -> TokenPair:
    """Sign in with username (or email), password and, when TOTP is on, `otp`."""
    form = await read_login(request)
    return await login.login(connections, runtime=runtime, form=form, ip=client_ip(request))


@router.post("/api/token/refresh", response_model=TokenPair, responses=errors(401, 422, 429))
async def refresh(
    request: Request, body: RefreshRequest, session: SessionDep, runtime: RuntimeDep
) -> TokenPair:
    """Trade a refresh token for a new pair; the old refresh token is used up."""
    return await service.refresh(
        session, runtime=runtime, token=body.refresh, ip=client_ip(request)
    )


@router.post("/api/auth/logout", status_code=204, responses=errors(401, 422, 429))
async def logout(
    body: LogoutRequest,
    user: CurrentUser,
    claims: AccessClaims,
    session: SessionDep,
    runtime: RuntimeDep,
) -> Response:
    """Revoke this access token and the refresh token's family."""
    await service.logout(session, runtime=runtime, user=user, access=claims, token=body.refresh)
    return Response(status_code=204)


@router.post("/api/auth/logout-all", status_code=204, responses=errors(401, 429))
async def logout_all(user: CurrentUser, session: SessionDep, runtime: RuntimeDep) -> Response:
    """Sign out everywhere: every refresh token and every access token of the caller, on
    every device, stops working (this request's token included)."""
    await service.logout_everywhere(session, runtime=runtime, user=user)
    return Response(status_code=204)
