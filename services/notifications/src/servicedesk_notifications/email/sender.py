"""Deliver pending e-mails over SMTP, in the background, at most once each.

Due rows are claimed with `FOR UPDATE SKIP LOCKED` (several replicas never take the same
row), sent, and updated in the same transaction: `sent` with `sent_at`, or the attempt
counted, the error kept, and the next attempt pushed out by exponential backoff; after
`NOTIFICATIONS_EMAIL_MAX_ATTEMPTS` the row is `failed` and stays for inspection.
"""

from __future__ import annotations

import asyncio
import logging
from dataclasses import dataclass
from email.message import EmailMessage
from email.utils import formatdate, make_msgid

import aiosmtplib
from sqlalchemy import func, select
from sqlalchemy.ext.asyncio import AsyncSession, async_sessionmaker

from servicedesk_notifications.config import Settings
from servicedesk_notifications.database import utcnow
from servicedesk_notifications.email.models import EmailDelivery
from servicedesk_notifications.metrics import SENT
from servicedesk_notifications.worker import retry_or_fail

log = logging.getLogger(__name__)


def claim(limit: int):
    return (
        select(EmailDelivery)
        .where(EmailDelivery.status == "pending", EmailDelivery.next_attempt_at <= func.now())
        .order_by(EmailDelivery.next_attempt_at, EmailDelivery.id)
        .limit(limit)
        .with_for_update(skip_locked=True)
    )


@dataclass(eq=False, repr=False)
class EmailSender:
    sessions: async_sessionmaker[AsyncSession]
    settings: Settings

    async def step(self) -> int:
        """Send one batch of due e-mails; the number attempted."""
        async with self.sessions() as session, session.begin():
            rows = list(await session.scalars(claim(self.settings.dispatch_batch)))
            await asyncio.gather(*(self._attempt(row) for row in rows))
        return len(rows)

    async def _attempt(self, row: EmailDelivery) -> None:
        row.attempts += 1
        try:
            await self._send(self.message(row))
        except Exception as exc:
            self._failed(row, f"{type(exc).__name__}: {exc}")
            return
        row.status, row.sent_at, row.last_error = "sent", utcnow(), None
        SENT.labels("email", "sent").inc()

    def message(self, row: EmailDelivery) -> EmailMessage:
        message = EmailMessage()
        message["From"] = self.settings.smtp_from
        message["To"] = row.recipient
        message["Subject"] = row.subject
        message["Date"] = formatdate(localtime=False)
        message["Message-ID"] = make_msgid(idstring=f"notification-{row.notification_id}")
        message["Auto-Submitted"] = "auto-generated"  # RFC 3834: no auto-replies, please
        message.set_content(row.body)
        return message

    async def _send(self, message: EmailMessage) -> None:
        s = self.settings
        await aiosmtplib.send(
            message,
            hostname=s.smtp_host,
            port=s.smtp_port,
            username=s.smtp_user,
            password=s.smtp_password.get_secret_value() if s.smtp_password else None,
            start_tls=s.smtp_starttls,
            timeout=s.smtp_timeout,
        )

    def _failed(self, row: EmailDelivery, error: str) -> None:
        s = self.settings
        if retry_or_fail(row, error, s, channel="email", max_attempts=s.email_max_attempts):
            log.error("e-mail %s failed for good: %s", row.id, error)
        else:
            log.warning("e-mail %s attempt %d failed: %s", row.id, row.attempts, error)
