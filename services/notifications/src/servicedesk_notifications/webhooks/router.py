"""Webhook administration (global admins and superusers only)."""

from __future__ import annotations

import uuid
from typing import Annotated

from fastapi import APIRouter, Depends, Query, Response

from servicedesk_notifications.deps import AdminPrincipal, RuntimeDep, SessionDep
from servicedesk_notifications.errors import UnsafeWebhookUrl, WebhookNotFound
from servicedesk_notifications.webhooks import service, ssrf
from servicedesk_notifications.webhooks.models import Webhook
from servicedesk_notifications.webhooks.schemas import (
    DeliveryPage,
    WebhookCreate,
    WebhookCreated,
    WebhookPage,
    WebhookRead,
)
from servicedesk_shared.openapi import errors
from servicedesk_shared.types import Limit, Offset

router = APIRouter(prefix="/api/notifications/webhooks", tags=["webhooks"])


async def webhook_or_404(
    webhook_id: uuid.UUID, session: SessionDep, _admin: AdminPrincipal
) -> Webhook:
    """The live webhook in the path, for an admin caller; 404 when there is none."""
    webhook = await service.get(session, webhook_id=webhook_id)
    if webhook is None:
        raise WebhookNotFound()
    return webhook


WebhookDep = Annotated[Webhook, Depends(webhook_or_404)]


@router.post("", status_code=201, response_model=WebhookCreated, responses=errors(401, 403, 422))
async def register(
    data: WebhookCreate, session: SessionDep, runtime: RuntimeDep, admin: AdminPrincipal
) -> Webhook:
    """Register a URL for some event types; the signing secret is in this answer only."""
    try:
        await ssrf.check(data.url, allowlist=runtime.allowlist, resolver=runtime.resolver)
    except ssrf.UnsafeUrl as exc:
        raise UnsafeWebhookUrl(str(exc)) from None
    return await service.create(session, data=data, actor_id=admin.id)


@router.get("", response_model=WebhookPage, responses=errors(401, 403))
async def list_webhooks(session: SessionDep, _admin: AdminPrincipal) -> WebhookPage:
    """Every live webhook (without secrets), oldest first."""
    webhooks = await service.get_all(session)
    return WebhookPage(items=[WebhookRead.model_validate(w) for w in webhooks])


@router.delete("/{webhook_id}", status_code=204, responses=errors(401, 403, 404, 422))
async def delete_webhook(webhook: WebhookDep, session: SessionDep) -> Response:
    """Stop delivering to a webhook; pending deliveries are cancelled, the log is kept."""
    await service.delete(session, webhook=webhook)
    return Response(status_code=204)


@router.get(
    "/{webhook_id}/deliveries", response_model=DeliveryPage, responses=errors(401, 403, 404, 422)
)
async def delivery_log(
    webhook: WebhookDep,
    session: SessionDep,
    limit: Annotated[Limit, Query()] = 50,
    offset: Annotated[Offset, Query()] = 0,
) -> DeliveryPage:
    """The webhook's deliveries, newest first, each with every attempt (status, latency)."""
    items, total = await service.deliveries(
        session, webhook_id=webhook.id, limit=limit, offset=offset
    )
    return DeliveryPage(items=items, total=total)
