"""The caller's inbox (contract §7)."""

from __future__ import annotations

from typing import Annotated

from fastapi import APIRouter, Query, Response

from servicedesk_notifications.deps import CurrentPrincipal, NotificationId, SessionDep
from servicedesk_notifications.errors import NotificationNotFound
from servicedesk_notifications.inbox import service
from servicedesk_notifications.inbox.models import Notification
from servicedesk_notifications.inbox.schemas import NotificationPage, NotificationRead, UnreadCount
from servicedesk_shared.openapi import errors
from servicedesk_shared.types import Limit, Offset

router = APIRouter(prefix="/api/notifications", tags=["notifications"])


@router.get("", response_model=NotificationPage, responses=errors(401, 422))
async def list_notifications(
    session: SessionDep,
    principal: CurrentPrincipal,
    unread: Annotated[bool, Query(description="Only unread notifications")] = False,
    limit: Annotated[Limit, Query()] = 50,
    offset: Annotated[Offset, Query()] = 0,
) -> NotificationPage:
    """The caller's notifications, newest first, with the total and unread counts."""
    items = await service.get_all(
        session, user_id=principal.id, unread_only=unread, limit=limit, offset=offset
    )
    total, unread_count = await service.count(session, user_id=principal.id)
    return NotificationPage(
        items=[NotificationRead.model_validate(n) for n in items],
        total=unread_count if unread else total,
        unread=unread_count,
    )


@router.get("/unread-count", response_model=UnreadCount, responses=errors(401))
async def unread_count(session: SessionDep, principal: CurrentPrincipal) -> UnreadCount:
    """How many of the caller's notifications are unread."""
    _, unread = await service.count(session, user_id=principal.id)
    return UnreadCount(unread=unread)


@router.post("/read-all", status_code=204, responses=errors(401))
async def read_all(session: SessionDep, principal: CurrentPrincipal) -> Response:
    """Mark every notification of the caller read."""
    await service.mark_all_read(session, user_id=principal.id)
    return Response(status_code=204)


@router.post(
    "/{notification_id}/read", response_model=NotificationRead, responses=errors(401, 404, 422)
)
async def read_one(
    notification_id: NotificationId, session: SessionDep, principal: CurrentPrincipal
) -> Notification:
    """Mark one of the caller's notifications read (someone else's: 404)."""
    note = await service.mark_read(session, notification_id=notification_id, user_id=principal.id)
    if note is None:
        raise NotificationNotFound()
    return note
