"""Tickets' events leave through the outbox relay and reach a subscriber on RabbitMQ."""

from __future__ import annotations

import aio_pika
import orjson

from servicedesk_devtools.testing import eventually
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

        async def ours() -> tuple[Envelope, str | None] | None:
            while (message := await queue.get(fail=False)) is not None:
                await message.ack()
                event = Envelope.model_validate(orjson.loads(message.body))
                if event.data["ticket"]["id"] == ticket["id"]:
                    return event, message.message_id
            return None

        event, message_id = await eventually(ours)
    finally:
        await connection.close()
    payload = parse(event)
    assert isinstance(payload, TicketCreated)
    assert payload.ticket.title == "Relay me please" and event.producer == "tickets"
    assert message_id == str(event.id)
