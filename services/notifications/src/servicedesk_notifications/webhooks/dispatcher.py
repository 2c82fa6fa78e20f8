"""POST pending webhook deliveries, signed, to the checked address only; retry with backoff.

    claim due rows (FOR UPDATE SKIP LOCKED) ─► re-check the URL (SSRF, DNS re-resolved)
        ─► POST to the checked IP, original Host / SNI, redirects NOT followed
        ─► 2xx: delivered │ anything else: attempt logged, next try after 2^n backoff,
                            `failed` after NOTIFICATIONS_WEBHOOK_MAX_ATTEMPTS

Every attempt becomes a `webhook_attempts` row (status code, latency, error): the log.
"""

from __future__ import annotations

import asyncio
import logging
import time
from dataclasses import KW_ONLY, dataclass

import httpx
from sqlalchemy import func, select
from sqlalchemy.ext.asyncio import AsyncSession, async_sessionmaker

from servicedesk_notifications.config import Settings
from servicedesk_notifications.database import utcnow
from servicedesk_notifications.metrics import SENT
from servicedesk_notifications.webhooks import signing, ssrf
from servicedesk_notifications.webhooks.models import Webhook, WebhookAttempt, WebhookDelivery
from servicedesk_notifications.worker import retry_or_fail

log = logging.getLogger(__name__)
USER_AGENT = "servicedesk-webhooks/1"


def claim(limit: int):
    return (
        select(WebhookDelivery, Webhook)
        .join(Webhook, Webhook.id == WebhookDelivery.webhook_id)
        .where(WebhookDelivery.status == "pending", WebhookDelivery.next_attempt_at <= func.now())
        .order_by(WebhookDelivery.next_attempt_at, WebhookDelivery.id)
        .limit(limit)
        .with_for_update(skip_locked=True, of=WebhookDelivery)
    )


def pinned(target: ssrf.Target, body: bytes, headers: dict[str, str]) -> dict:
    """Request arguments that connect to the checked IP but name the original host."""
    extensions = {"sni_hostname": target.url.host} if target.url.scheme == "https" else {}
    return {
        "url": target.url.copy_with(host=str(target.ip)),
        "content": body,
        "headers": {**headers, "Host": target.url.netloc.decode("ascii")},
        "extensions": extensions,
    }


@dataclass(eq=False, repr=False)
class Dispatcher:
    sessions: async_sessionmaker[AsyncSession]
    settings: Settings
    _: KW_ONLY
    http: httpx.AsyncClient
    allowlist: ssrf.Allowlist
    resolver: ssrf.Resolver

    async def step(self) -> int:
        """Attempt one batch of due deliveries; the number attempted."""
        async with self.sessions() as session, session.begin():
            rows = (await session.execute(claim(self.settings.dispatch_batch))).all()
            attempts = await asyncio.gather(*(self._attempt(d, w) for d, w in rows))
            session.add_all(attempts)
        return len(rows)

    async def _attempt(self, delivery: WebhookDelivery, webhook: Webhook) -> WebhookAttempt:
        delivery.attempts += 1
        started = time.perf_counter()
        status, error = await self._post(delivery, webhook)
        latency = round((time.perf_counter() - started) * 1000, 2)
        if error is None:
            delivery.status, delivery.delivered_at, delivery.last_error = (
                "delivered",
                utcnow(),
                None,
            )
            SENT.labels("webhook", "sent").inc()
        else:
            self._failed(delivery, error)
        log.info(
            "webhook attempt",
            extra={
                "webhook_id": str(webhook.id),
                "delivery_id": delivery.id,
                "attempt": delivery.attempts,
                "status_code": status,
                "latency_ms": latency,
                "error": error,
            },
        )
        return WebhookAttempt(
            delivery_id=delivery.id,
            attempt=delivery.attempts,
            at=utcnow(),
            status_code=status,
            latency_ms=latency,
            error=error,
        )

    async def _post(
        self, delivery: WebhookDelivery, webhook: Webhook
    ) -> tuple[int | None, str | None]:
        """(status code, error) of one signed POST; error None means delivered."""
        try:
            target = await ssrf.check(webhook.url, allowlist=self.allowlist, resolver=self.resolver)
        except ssrf.UnsafeUrl as exc:
            SENT.labels("webhook", "refused").inc()
            return None, str(exc)
        body = delivery.body.encode()
        headers = {
            "Content-Type": "application/json",
            "User-Agent": USER_AGENT,
            "X-Webhook-Event": delivery.event_type,
            **signing.headers(webhook.secret, str(delivery.event_id), int(time.time()), body),
        }
        try:
            async with asyncio.timeout(self.settings.webhook_timeout):
                return _outcome(await self._send(target, body, headers))
        except (httpx.HTTPError, TimeoutError, OSError) as exc:
            return None, f"{type(exc).__name__}: {exc}".rstrip(": ")

    async def _send(self, target: ssrf.Target, body: bytes, headers: dict) -> httpx.Response:
        """POST without reading the receiver's body (its size is not ours to absorb)."""
        async with self.http.stream("POST", **pinned(target, body, headers)) as response:
            return response

    def _failed(self, delivery: WebhookDelivery, error: str) -> None:
        s = self.settings
        retry_or_fail(delivery, error, s, channel="webhook", max_attempts=s.webhook_max_attempts)


def _outcome(response: httpx.Response) -> tuple[int, str | None]:
    code = response.status_code
    if 200 <= code < 300:
        return code, None
    if response.is_redirect:
        return code, f"redirect to {response.headers.get('location', '?')} not followed"
    return code, f"HTTP {code}"
