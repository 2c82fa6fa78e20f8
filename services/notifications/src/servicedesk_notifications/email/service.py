"""Queue an e-mail for a notification: a pending row, addressed from the user directory."""

from __future__ import annotations

import logging

from sqlalchemy.dialects.postgresql import insert
from sqlalchemy.ext.asyncio import AsyncSession

from servicedesk_notifications.database import utcnow
from servicedesk_notifications.directory import service as directory
from servicedesk_notifications.email.models import EmailDelivery
from servicedesk_notifications.inbox.models import Notification
from servicedesk_notifications.metrics import SENT

log = logging.getLogger(__name__)


def render(notification: Notification) -> tuple[str, str]:
    """(subject, plain-text body) of the e-mail for a notification."""
    title = " ".join(notification.title.split())  # no CR/LF reaches a header
    subject = f"[Service Desk] {title}"
    footer = "\n\n-- \nYou get this because of your tickets on the service desk."
    return subject[:300], f"{notification.body}{footer}"


async def queue(session: AsyncSession, *, notification: Notification) -> bool:
    """Write the pending e-mail; False (logged) when the user has no known address."""
    entry = await directory.get(session, user_id=notification.user_id)
    if entry is None or not entry.email:
        SENT.labels("email", "skipped").inc()
        log.info(
            "e-mail skipped: no address for user",
            extra={"user_id": notification.user_id, "notification_id": notification.id},
        )
        return False
    subject, body = render(notification)
    statement = insert(EmailDelivery).values(
        notification_id=notification.id, recipient=entry.email, subject=subject, body=body,
        status="pending", attempts=0, next_attempt_at=utcnow(), created_at=utcnow(),
    ).on_conflict_do_nothing()  # fmt: skip
    await session.execute(statement)
    return True
