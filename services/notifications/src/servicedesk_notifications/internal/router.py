"""`POST /internal/notifications`: other services notify a user (own port only; the
gateway answers 404 for `/internal/*`)."""

from __future__ import annotations

from fastapi import APIRouter, Depends

from servicedesk_notifications.delivery import Channels, notify
from servicedesk_notifications.deps import RuntimeDep, SessionDep, require_api_key
from servicedesk_notifications.inbox.models import Notification
from servicedesk_notifications.inbox.schemas import NotificationCreate, NotificationRead
from servicedesk_shared.openapi import errors

router = APIRouter(prefix="/internal", tags=["internal"])


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
    return await notify(session, channels, **data.model_dump())
