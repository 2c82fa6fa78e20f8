"""Webhooks: register, list, delete; queue a delivery per subscribed event; read the log."""

from __future__ import annotations

import uuid
from collections import defaultdict

from sqlalchemy import func, select, text, update
from sqlalchemy.ext.asyncio import AsyncSession

from servicedesk_notifications.database import utcnow
from servicedesk_notifications.webhooks import signing
from servicedesk_notifications.webhooks.models import Webhook, WebhookAttempt, WebhookDelivery
from servicedesk_notifications.webhooks.schemas import AttemptRead, DeliveryRead, WebhookCreate
from servicedesk_shared.messaging.envelope import Envelope

ENQUEUE = text(
    "INSERT INTO webhook_deliveries (webhook_id, event_id, event_type, body, status, attempts,"
    " next_attempt_at, created_at)"
    " SELECT id, :event_id, CAST(:event_type AS varchar), :body, 'pending', 0, now(), now()"
    " FROM webhooks WHERE deleted_at IS NULL AND CAST(:event_type AS varchar) = ANY(event_types)"
    " ON CONFLICT (webhook_id, event_id) DO NOTHING"
)
SUBSCRIBED = text("SELECT DISTINCT unnest(event_types) FROM webhooks WHERE deleted_at IS NULL")


async def create(session: AsyncSession, *, data: WebhookCreate, actor_id: str) -> Webhook:
    """A new webhook with a fresh signing secret (the caller shows it once)."""
    webhook = Webhook(
        url=data.url,
        event_types=data.event_types,
        secret=signing.new_secret(),
        created_by=actor_id,
        created_at=utcnow(),
    )
    session.add(webhook)
    await session.flush()
    return webhook


async def get_all(session: AsyncSession) -> list[Webhook]:
    query = select(Webhook).where(Webhook.deleted_at.is_(None)).order_by(Webhook.created_at)
    return list(await session.scalars(query))


async def get(session: AsyncSession, *, webhook_id: uuid.UUID) -> Webhook | None:
    webhook = await session.get(Webhook, webhook_id)
    return webhook if webhook is not None and webhook.deleted_at is None else None


async def delete(session: AsyncSession, *, webhook: Webhook) -> None:
    """Stop delivering to it; its delivery log is kept (pending rows are cancelled)."""
    webhook.deleted_at = utcnow()
    await session.execute(
        update(WebhookDelivery)
        .where(WebhookDelivery.webhook_id == webhook.id, WebhookDelivery.status == "pending")
        .values(status="cancelled")
    )


async def enqueue(session: AsyncSession, *, event: Envelope) -> int:
    """One pending delivery per live webhook subscribed to the event's type.

    The types any live webhook wants are read once per transaction (the consumer's holds
    a group of events, `servicedesk_shared.messaging.consumer`), so an event no webhook
    wants costs no statement: the usual case, one INSERT per event measured at 200
    events/s. A webhook created while a group is in its transaction gets the events of
    the groups after it."""
    subscribed = session.info.get("webhook_types")
    if subscribed is None:
        subscribed = session.info["webhook_types"] = set(await session.scalars(SUBSCRIBED))
    if event.type not in subscribed:
        return 0
    params = {"event_id": event.id, "event_type": event.type, "body": event.model_dump_json()}
    return (await session.execute(ENQUEUE, params)).rowcount


async def deliveries(
    session: AsyncSession, *, webhook_id: uuid.UUID, limit: int, offset: int
) -> tuple[list[DeliveryRead], int]:
    """The webhook's deliveries, newest first, each with its attempts in order."""
    where = WebhookDelivery.webhook_id == webhook_id
    total = await session.scalar(select(func.count()).select_from(WebhookDelivery).where(where))
    query = select(WebhookDelivery).where(where).order_by(WebhookDelivery.id.desc())
    rows = list(await session.scalars(query.limit(limit).offset(offset)))
    attempts = await _attempts(session, [row.id for row in rows])
    items = [
        DeliveryRead.model_validate({**_columns(row), "log": attempts[row.id]}) for row in rows
    ]
    return items, total or 0


async def _attempts(session: AsyncSession, ids: list[int]) -> dict[int, list[AttemptRead]]:
    query = select(WebhookAttempt).where(WebhookAttempt.delivery_id.in_(ids))
    grouped: dict[int, list[AttemptRead]] = defaultdict(list)
    for attempt in await session.scalars(query.order_by(WebhookAttempt.id)):
        grouped[attempt.delivery_id].append(AttemptRead.model_validate(attempt))
    return grouped


def _columns(row: WebhookDelivery) -> dict:
    return {column.key: getattr(row, column.key) for column in WebhookDelivery.__table__.columns}
