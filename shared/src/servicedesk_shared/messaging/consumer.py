"""An idempotent consumer: one transaction per delivery, an inbox row in it, ack after commit.

    delivery ─► parse envelope ──invalid──► reject (no requeue) ─► <queue>.dlq
                     │
                     ▼
        BEGIN; INSERT inbox (consumer, id) ON CONFLICT DO NOTHING
                     │ new                       │ seen before
                     ▼                           ▼
               handler(session, event)       nothing to do
        COMMIT ─► ack
        error ─► wait (exponential backoff) ─► nack(requeue) ─► … after the queue's
                 x-delivery-limit the broker dead-letters it to <queue>.dlq
        no pooled DB connection within the pool timeout (the process is overloaded, not
        the event at fault) ─► wait (backoff) ─► try again here, no delivery attempt used

A failed delivery is never acked and never loops forever. `connect_robust` reconnects and
re-consumes after a broker restart without a process restart.
"""

from __future__ import annotations

import asyncio
import contextlib
import logging
from collections.abc import Awaitable, Callable

import aio_pika
from aio_pika.abc import AbstractIncomingMessage, AbstractRobustConnection
from pydantic import ValidationError
from sqlalchemy.exc import TimeoutError as PoolTimeout
from sqlalchemy.ext.asyncio import AsyncSession, async_sessionmaker

from servicedesk_shared.logging import event_var, request_id_var
from servicedesk_shared.messaging import inbox, metrics
from servicedesk_shared.messaging.envelope import Envelope
from servicedesk_shared.messaging.topology import declare_consumer_queue

log = logging.getLogger(__name__)
Handler = Callable[[AsyncSession, Envelope], Awaitable[None]]


class Consumer:
    def __init__(
        self,
        *,
        name: str,
        amqp_url: str,
        sessions: async_sessionmaker[AsyncSession],
        handlers: dict[str, Handler],
        prefetch: int = 32,
        delivery_limit: int = 5,
        base_backoff: float = 0.2,
        max_backoff: float = 5.0,
    ) -> None:
        self.name = name
        self.amqp_url = amqp_url
        self.sessions = sessions
        self.handlers = handlers
        self.prefetch = prefetch
        self.delivery_limit = delivery_limit
        self.base_backoff = base_backoff
        self.max_backoff = max_backoff
        self._connection: AbstractRobustConnection | None = None
        self._task: asyncio.Task | None = None
        self.ready = asyncio.Event()

    @property
    def connected(self) -> bool:
        """Consuming right now (False while the broker is away and being reconnected)."""
        return self._connection is not None and self._connection.connected.is_set()

    def start(self) -> None:
        """Connect and consume in the background; retries until the broker answers."""
        self._task = asyncio.create_task(self._connect_forever(), name=f"consumer-{self.name}")
        metrics.CONSUMER_CONNECTED.labels(self.name).set_function(lambda: float(self.connected))

    async def stop(self) -> None:
        if self._task is not None:
            self._task.cancel()
            with contextlib.suppress(asyncio.CancelledError):
                await self._task
        if self._connection is not None:
            await self._connection.close()

    async def _connect_forever(self) -> None:
        delay = self.base_backoff
        while True:
            try:
                await self._consume()
                return
            except asyncio.CancelledError:
                raise
            except Exception as exc:
                log.warning("consumer %s: broker unavailable (%s); retrying", self.name, exc)
                await asyncio.sleep(delay)
                delay = min(delay * 2, self.max_backoff)

    async def _consume(self) -> None:
        connection = await aio_pika.connect_robust(self.amqp_url, timeout=5)
        try:
            channel = await connection.channel()
            await channel.set_qos(prefetch_count=self.prefetch)
            queue = await declare_consumer_queue(
                channel, self.name, list(self.handlers), delivery_limit=self.delivery_limit
            )
            await queue.consume(self.on_message)
        except BaseException:
            await connection.close()
            raise
        self._connection = connection
        self.ready.set()

    async def on_message(self, message: AbstractIncomingMessage) -> None:
        try:
            event = Envelope.model_validate_json(message.body)
        except ValidationError:
            metrics.DEAD_LETTERED.labels(self.name, "unparseable").inc()
            log.error(
                "consumer %s: unparseable message %s dead-lettered", self.name, message.message_id
            )
            await message.reject(requeue=False)
            return
        # Every line logged while handling it names the event and the request behind it.
        token = request_id_var.set(event.correlation_id)
        context = {"event_id": str(event.id), "event_type": event.type}
        if event.correlation_id:
            context["correlation_id"] = event.correlation_id
        event_token = event_var.set(context)
        try:
            await self._handle(message, event)
        finally:
            event_var.reset(event_token)
            request_id_var.reset(token)

    async def _handle(self, message: AbstractIncomingMessage, event: Envelope) -> None:
        busy = 0
        while True:
            try:
                await self._apply(event)
            except PoolTimeout as exc:
                busy += 1
                await self._wait_for_pool(event, busy, exc)
                continue
            except Exception as exc:
                await self._retry_later(message, event, exc)
                return
            break
        metrics.CONSUMED.labels(self.name, event.type, "ok").inc()
        await message.ack()

    async def _apply(self, event: Envelope) -> None:
        handler = self.handlers.get(event.type)
        async with self.sessions() as session, session.begin():
            if handler is not None and await inbox.claim(
                session, consumer=self.name, event_id=event.id
            ):
                await handler(session, event)

    async def _wait_for_pool(self, event: Envelope, busy: int, exc: Exception) -> None:
        """The pool had no connection in time (servicedesk_shared.overload): a nack would
        use up one of the event's delivery attempts, so it waits here instead."""
        if busy == 1 or busy % 10 == 0:
            log.warning("consumer %s: event %s waits for a DB connection (%d): %s",
                        self.name, event.id, busy, exc)  # fmt: skip
        await asyncio.sleep(min(self.base_backoff * 2**busy, self.max_backoff))

    async def _retry_later(
        self, message: AbstractIncomingMessage, event: Envelope, exc: Exception
    ) -> None:
        attempt = int((message.headers or {}).get("x-delivery-count") or 0)
        metrics.CONSUMED.labels(self.name, event.type, "failed").inc()
        if attempt + 1 >= self.delivery_limit:
            metrics.DEAD_LETTERED.labels(self.name, "retries_exhausted").inc()
        log.warning(
            "consumer %s: event %s (%s) failed on attempt %d: %s",
            self.name,
            event.id,
            event.type,
            attempt + 1,
            exc,
            exc_info=exc,
        )
        await asyncio.sleep(min(self.base_backoff * 2**attempt, self.max_backoff))
        await message.nack(requeue=True)
