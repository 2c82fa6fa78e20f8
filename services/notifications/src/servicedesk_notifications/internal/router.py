"""`POST /internal/notifications`: other services notify a user (own port only; the
gateway answers 404 for `/internal/*`)."""

from __future__ import annotations

from typing import Annotated

from fastapi import APIRouter, Depends, Request
from fastapi.security import APIKeyHeader

from servicedesk_notifications.delivery import Channels, notify
from servicedesk_notifications.deps import RuntimeDep, SessionDep
from servicedesk_notifications.errors import ApiKeyInvalid
from servicedesk_notifications.inbox.models import Notification
from servicedesk_notifications.inbox.schemas import NotificationCreate, NotificationRead
from servicedesk_shared.logging import security_event
from servicedesk_shared.openapi import errors

router = APIRouter(prefix="/internal", tags=["internal"])
api_key_header = APIKeyHeader(
    name="X-API-Key", auto_error=False, description="One of NOTIFICATION_API_KEYS"
)


async def require_api_key(
    request: Request, runtime: RuntimeDep, key: Annotated[str | None, Depends(api_key_header)]
) -> None:
    """401 unless X-API-Key is one of the configured keys (none configured: always 401)."""
    if runtime.api_keys.verify(key):
        return
    peer = request.client.host if request.client else None
    reason = (
        "no keys configured" if not len(runtime.api_keys) else ("missing" if not key else "wrong")
    )
    security_event("api_key_rejected", ip=peer, reason=reason, path=request.url.path)
    raise ApiKeyInvalid()


@router.post(
    "/notifications",
    status_code=201,
    response_model=NotificationRead,
    dependencies=[Depends(require_api_key)],
    responses=errors(401, 422),
)
async def create_notification(
    data: NotificationCreate, session: SessionDep, runtime: RuntimeDep
) -> Notification:
    """Notify one user (inbox, and e-mail when it is on) on behalf of another service."""
    channels = Channels(email=runtime.settings.email_enabled)
    note = await notify(session, channels, **data.model_dump())
    assert note is not None  # no event id: nothing to collide with
    return note
