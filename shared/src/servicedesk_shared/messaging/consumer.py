"""An idempotent consumer: an inbox row per delivery in the handler's transaction, ack after
commit.

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

With `group_size` 1 (the default) each delivery is its own transaction, handled as it
arrives (up to `prefetch` at once). With `group_size` N > 1 (a consumer of small, quick
handlers) one task takes the deliveries that are waiting, and those arriving within
`gather` seconds, up to N, and runs them one after the other, each with its inbox
claim, in ONE transaction; after its commit one `basic.ack(multiple)` acks the group.
One checkout, BEGIN, COMMIT (and fsync) per group instead of per event. There is no
SAVEPOINT per event (two more round trips each, every time, for the rare failure):
when any event fails, or the commit does, the whole group rolls back and each of its
events runs again on its own, as above, so only the failing one is retried or
dead-lettered and the others commit. A crash before the commit acks nothing: the broker
redelivers the group and the inbox rows make it idempotent.

A handler that must wait on something slow before it writes (ai-assist asks a model) has a
`prepare` step for its event type: `prepare(event)` runs as the delivery arrives, outside
any transaction and with no pooled connection held, and its result is handed to the
handler, `handler(session, event, prepared)`, in the (group's) transaction. A failing
prepare is retried like a failing handler. Only the effect is once: an event delivered
again after its commit is prepared again, then its inbox row says it is done.

A failed delivery is never acked and never loops forever. `connect_robust` reconnects and
re-consumes after a broker restart without a process restart.
"""

from __future__ import annotations

import asyncio
import contextlib
import dataclasses
import logging
from collections.abc import Awaitable, Callable, Iterator, Mapping
from dataclasses import dataclass, field
from types import ModuleType
from typing import Any

import aio_pika
from aio_pika.abc import AbstractIncomingMessage, AbstractRobustConnection
from pydantic import ValidationError
from sqlalchemy.exc import TimeoutError as PoolTimeout
from sqlalchemy.ext.asyncio import AsyncSession, async_sessionmaker

from servicedesk_shared import backoff
from servicedesk_shared.logging import event_var, request_id_var
from servicedesk_shared.messaging import inbox, metrics
from servicedesk_shared.messaging.envelope import Envelope
from servicedesk_shared.messaging.topology import declare_consumer_queue

log = logging.getLogger(__name__)
Handler = Callable[[AsyncSession, Envelope], Awaitable[None]]
# For an event type with a `prepare` step: the handler also takes what it prepared.
Prepare = Callable[[Envelope], Awaitable[Any]]
PreparedHandler = Callable[[AsyncSession, Envelope, Any], Awaitable[None]]


@dataclass(frozen=True)
class Delivery:
    message: AbstractIncomingMessage
    event: Envelope
    prepared: Any = None


@contextlib.contextmanager
def _logged(event: Envelope) -> Iterator[None]:
    """Every line logged while handling it names the event and the request behind it."""
    token = request_id_var.set(event.correlation_id)
    context = {"event_id": str(event.id), "event_type": event.type}
    if event.correlation_id:
        context["correlation_id"] = event.correlation_id
    event_token = event_var.set(context)
    try:
        yield
    finally:
        event_var.reset(event_token)
        request_id_var.reset(token)


def handlers_by_event(*modules: ModuleType) -> dict[str, Any]:
    """`{event type: module.handle}` for a service's consumer modules, each of which names
    the types it handles in `EVENTS`; a type two modules claim is refused at import."""
    table: dict[str, Any] = {}
    for module in modules:
        for kind in module.EVENTS:
            if kind in table:
                raise ValueError(f"{kind!r} is handled by two consumer modules")
            table[kind] = module.handle
    return table


@dataclass(eq=False, repr=False, kw_only=True)
class Consumer:
    name: str
    amqp_url: str
    sessions: async_sessionmaker[AsyncSession]
    handlers: Mapping[str, Handler | PreparedHandler]
    prepare: dict[str, Prepare] = field(default_factory=dict)
    prefetch: int = 32
    group_size: int = 1
    gather: float = 0.0
    delivery_limit: int = 5
    base_backoff: float = 0.2
    max_backoff: float = 5.0
    ready: asyncio.Event = field(default_factory=asyncio.Event, init=False)
    _connection: AbstractRobustConnection | None = field(default=None, init=False)
    _tasks: list[asyncio.Task] = field(default_factory=list, init=False)
    _waiting: asyncio.Queue[Delivery] = field(default_factory=asyncio.Queue, init=False)
    _retries: set[asyncio.Task] = field(default_factory=set, init=False)
    # Delivery tags given to the groups and not yet acked or nacked, per channel.
    _unacked: dict[object, set[int]] = field(default_factory=dict, init=False)

    def __post_init__(self) -> None:
        if unhandled := set(self.prepare) - set(self.handlers):
            raise ValueError(f"prepare steps without a handler: {sorted(unhandled)}")

    @property
    def connected(self) -> bool:
        """Consuming right now (False while the broker is away and being reconnected)."""
        return self._connection is not None and self._connection.connected.is_set()

    def start(self) -> None:
        """Connect and consume in the background; retries until the broker answers."""
        self._tasks = [asyncio.create_task(self._connect_forever(), name=f"consumer-{self.name}")]
        if self.group_size > 1:
            self._tasks.append(asyncio.create_task(self._groups(), name=f"groups-{self.name}"))
        metrics.CONSUMER_CONNECTED.labels(self.name).set_function(lambda: float(self.connected))

    async def stop(self) -> None:
        """A group in flight rolls back unacked: the broker redelivers it."""
        for task in [*self._tasks, *self._retries]:
            task.cancel()
        for task in [*self._tasks, *self._retries]:
            with contextlib.suppress(asyncio.CancelledError):
                await task
        if self._connection is not None:
            await self._connection.close()

    def _backoff(self, step: int) -> float:
        return backoff.delay(step, base=self.base_backoff, cap=self.max_backoff)

    async def _connect_forever(self) -> None:
        failures = 0
        while True:
            try:
                await self._consume()
                return
            except asyncio.CancelledError:
                raise
            except Exception as exc:
                log.warning("consumer %s: broker unavailable (%s); retrying", self.name, exc)
                await asyncio.sleep(self._backoff(failures))
                failures += 1

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
        delivery: Delivery | None = Delivery(message, event)
        if self.group_size > 1:  # from now on: no group's ack(multiple) may cover it
            self._unacked.setdefault(message.channel, set()).add(message.delivery_tag)
        if event.type in self.prepare:
            delivery = await self._prepared(delivery)
            if delivery is None:
                return
        if self.group_size > 1:
            self._waiting.put_nowait(delivery)
        else:
            await self._handle(delivery)

    async def _prepared(self, delivery: Delivery) -> Delivery | None:
        """The delivery with its `prepare` step's result, or None when that failed (it is
        retried later, as a failing handler's delivery is)."""
        with _logged(delivery.event):
            try:
                prepared = await self.prepare[delivery.event.type](delivery.event)
            except Exception as exc:
                await self._retry_later(delivery, exc)
                return None
        return dataclasses.replace(delivery, prepared=prepared)

    async def _groups(self) -> None:
        """Take what is waiting (up to `group_size`) and handle it as one group, forever."""
        while True:
            group = await self._next_group()
            try:
                await self._handle_group(group)
            except asyncio.CancelledError:
                raise
            except Exception:  # a bug here must not stop consuming; unacked is redelivered
                log.exception("consumer %s: a group of %d failed", self.name, len(group))

    async def _next_group(self) -> list[Delivery]:
        """What is waiting, and what arrives within `gather` seconds, up to `group_size`."""
        group = [await self._waiting.get()]
        deadline = asyncio.get_running_loop().time() + self.gather
        while len(group) < self.group_size:
            if not self._waiting.empty():
                group.append(self._waiting.get_nowait())
                continue
            left = deadline - asyncio.get_running_loop().time()
            if left <= 0:
                break
            with contextlib.suppress(TimeoutError):  # a cancelled get() takes nothing
                group.append(await asyncio.wait_for(self._waiting.get(), left))
        return group

    async def _handle_group(self, group: list[Delivery]) -> None:
        if len(group) > 1:
            busy = 0
            while True:
                try:
                    await self._apply(group)
                except PoolTimeout as exc:
                    busy += 1
                    await self._wait_for_pool(group[0].event, busy, exc)
                    continue
                except Exception as exc:
                    log.info(
                        "consumer %s: a group of %d rolled back (%s); each on its own",
                        self.name,
                        len(group),
                        exc,
                    )
                    break
                metrics.GROUP_SIZE.labels(self.name).observe(len(group))
                await self._ack_group(group)
                return
        for delivery in group:
            await self._handle(delivery)

    async def _handle(self, delivery: Delivery) -> None:
        with _logged(delivery.event):
            busy = 0
            while True:
                try:
                    await self._apply([delivery])
                except PoolTimeout as exc:
                    busy += 1
                    await self._wait_for_pool(delivery.event, busy, exc)
                    continue
                except Exception as exc:
                    await self._retry_later(delivery, exc)
                    return
                break
        await self._done(delivery)

    async def _apply(self, group: list[Delivery]) -> None:
        """All of the group's effects in one transaction (a redelivered event: none)."""
        handled = [d for d in group if d.event.type in self.handlers]
        if not handled:
            return
        async with self.sessions() as session, session.begin():
            ids = [d.event.id for d in handled]  # claimed in one statement
            new = await inbox.claim_all(session, consumer=self.name, event_ids=ids)
            for delivery in handled:
                event = delivery.event
                if event.id in new:
                    new.discard(event.id)  # delivered twice in this group: handled once
                    with _logged(event):
                        await self._effect(session, delivery)

    def _effect(self, session: AsyncSession, delivery: Delivery) -> Awaitable[None]:
        event = delivery.event
        if event.type in self.prepare:
            return self.handlers[event.type](session, event, delivery.prepared)
        return self.handlers[event.type](session, event)

    async def _done(self, delivery: Delivery) -> None:
        metrics.CONSUMED.labels(self.name, delivery.event.type, "ok").inc()
        self._settled(delivery.message)
        await delivery.message.ack()

    async def _ack_group(self, group: list[Delivery]) -> None:
        """One `basic.ack(multiple)` for the group when it holds every delivery of its
        channel up to its last (one frame, not one each; measured), else one ack each:
        a delivery waiting for its nack must not be acked with them."""
        last = group[-1].message
        tags = {d.message.delivery_tag for d in group if d.message.channel is last.channel}
        rest = self._unacked.get(last.channel, set()) - tags
        if len(tags) < len(group) or (rest and min(rest) < max(tags)):
            for delivery in group:
                await self._done(delivery)
            return
        for delivery in group:
            metrics.CONSUMED.labels(self.name, delivery.event.type, "ok").inc()
            self._settled(delivery.message)
        await max(group, key=lambda d: d.message.delivery_tag).message.ack(multiple=True)

    def _settled(self, message: AbstractIncomingMessage) -> None:
        tags = self._unacked.get(message.channel) if self.group_size > 1 else None
        if tags is not None:
            tags.discard(message.delivery_tag)
            if not tags:  # and a channel of a lost connection is forgotten
                del self._unacked[message.channel]

    async def _wait_for_pool(self, event: Envelope, busy: int, exc: Exception) -> None:
        """The pool had no connection in time (servicedesk_shared.overload): a nack would
        use up one of the event's delivery attempts, so it waits here instead."""
        if busy == 1 or busy % 10 == 0:
            log.warning(
                "consumer %s: event %s waits for a DB connection (%d): %s",
                self.name,
                event.id,
                busy,
                exc,
            )
        await asyncio.sleep(self._backoff(busy))

    async def _retry_later(self, delivery: Delivery, exc: Exception) -> None:
        """Log the failure, then nack after the backoff (in a task of its own when grouping:
        the next group does not wait for it)."""
        message, event = delivery.message, delivery.event
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
        if self.group_size == 1:
            await self._nack_after(message, attempt)
            return
        task = asyncio.create_task(self._nack_after(message, attempt))
        self._retries.add(task)
        task.add_done_callback(self._retries.discard)

    async def _nack_after(self, message: AbstractIncomingMessage, attempt: int) -> None:
        await asyncio.sleep(self._backoff(attempt))
        self._settled(message)
        try:
            await message.nack(requeue=True)
        except Exception as exc:  # the channel is gone: the broker redelivers it anyway
            log.info("consumer %s: nack failed (%s)", self.name, exc)
