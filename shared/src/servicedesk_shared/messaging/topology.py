"""Exchanges and queues, declared idempotently by whoever needs them.

- `servicedesk.events`: topic exchange, durable; routing key = event type. Its alternate
  exchange `servicedesk.events.unrouted` (fanout → queue of the same name) receives any
  event no queue is bound for, so `mandatory` publishing never loses one
  (https://www.rabbitmq.com/docs/ae).
- Per consumer: a durable quorum queue with `x-delivery-limit` (bounded redeliveries,
  counted by the broker) and a dead-letter exchange that routes to `<queue>.dlq`
  (https://www.rabbitmq.com/docs/quorum-queues#poison-message-handling).
"""

from __future__ import annotations

import aio_pika
from aio_pika.abc import AbstractChannel, AbstractExchange, AbstractQueue

EVENTS_EXCHANGE = "servicedesk.events"
UNROUTED = "servicedesk.events.unrouted"
DLX = "servicedesk.dlx"


async def declare_events_exchange(channel: AbstractChannel) -> AbstractExchange:
    unrouted = await channel.declare_exchange(UNROUTED, aio_pika.ExchangeType.FANOUT, durable=True)
    queue = await channel.declare_queue(
        UNROUTED, durable=True, arguments={"x-queue-type": "quorum"}
    )
    await queue.bind(unrouted)
    return await channel.declare_exchange(
        EVENTS_EXCHANGE,
        aio_pika.ExchangeType.TOPIC,
        durable=True,
        arguments={"alternate-exchange": UNROUTED},
    )


async def declare_consumer_queue(
    channel: AbstractChannel, name: str, routing_keys: list[str], *, delivery_limit: int
) -> AbstractQueue:
    """The consumer's quorum queue, bound to its event types, dead-lettering to `<name>.dlq`."""
    events = await declare_events_exchange(channel)
    dlx = await channel.declare_exchange(DLX, aio_pika.ExchangeType.DIRECT, durable=True)
    dlq = await channel.declare_queue(
        f"{name}.dlq", durable=True, arguments={"x-queue-type": "quorum"}
    )
    await dlq.bind(dlx, routing_key=name)
    queue = await channel.declare_queue(
        name,
        durable=True,
        arguments={
            "x-queue-type": "quorum",
            "x-delivery-limit": delivery_limit,
            "x-dead-letter-exchange": DLX,
            "x-dead-letter-routing-key": name,
        },
    )
    for key in routing_keys:
        await queue.bind(events, routing_key=key)
    return queue
