"""Queue an e-mail for one change: a pending row, addressed from the user directory."""

from __future__ import annotations

import logging

from sqlalchemy.dialects.postgresql import insert
from sqlalchemy.ext.asyncio import AsyncSession

from servicedesk_notifications.database import utcnow
from servicedesk_notifications.directory import service as directory
from servicedesk_notifications.email.models import EmailDelivery
from servicedesk_notifications.inbox.models import NotificationChange
from servicedesk_notifications.metrics import SENT

log = logging.getLogger(__name__)


def render(change: NotificationChange) -> tuple[str, str]:
    """(subject, plain-text body) of the e-mail for a change."""
    title = " ".join(change.title.split())  # no CR/LF reaches a header
    subject = f"[Service Desk] {title}"
    footer = "\n\n-- \nYou get this because of your tickets on the service desk."
    return subject[:300], f"{change.body}{footer}"


async def queue(session: AsyncSession, *, change: NotificationChange) -> bool:
    """Write the pending e-mail; False (logged) when the user has no known address."""
    entry = await directory.get(session, user_id=change.user_id)
    if entry is None or not entry.email:
        SENT.labels("email", "skipped").inc()
        log.info(
            "e-mail skipped: no address for user",
            extra={"user_id": change.user_id, "notification_id": change.notification_id},
        )
        return False
    subject, body = render(change)
    statement = (
        insert(EmailDelivery)
        .values(
            notification_id=change.notification_id,
            change_id=change.id,
            recipient=entry.email,
            subject=subject,
            body=body,
            status="pending",
            attempts=0,
            next_attempt_at=utcnow(),
            created_at=utcnow(),
        )
        .on_conflict_do_nothing()
    )
    await session.execute(statement)
    return True
