"""Tickets' events leave through the outbox relay and reach a subscriber on RabbitMQ."""

from __future__ import annotations

import asyncio

import aio_pika
import orjson

from servicedesk_shared.events import TicketCreated, parse
from servicedesk_shared.messaging.envelope import Envelope
from servicedesk_shared.messaging.topology import declare_events_exchange


async def test_a_committed_ticket_is_published_as_ticket_created(committing_api, amqp_url):
    connection = await aio_pika.connect_robust(amqp_url)
    try:
        channel = await connection.channel()
        queue = await channel.declare_queue(exclusive=True)
        await queue.bind(await declare_events_exchange(channel), routing_key="ticket.created")
        ticket = await committing_api.create("user_a", title="Relay me please")
        async with asyncio.timeout(10):
            while True:
                message = await queue.get(fail=False)
                if message is None:
                    await asyncio.sleep(0.05)
                    continue
                await message.ack()
                event = Envelope.model_validate(orjson.loads(message.body))
                if event.data["ticket"]["id"] == ticket["id"]:
                    break
    finally:
        await connection.close()
    payload = parse(event)
    assert isinstance(payload, TicketCreated)
    assert payload.ticket.title == "Relay me please" and event.producer == "tickets"
    assert message.message_id == str(event.id)
