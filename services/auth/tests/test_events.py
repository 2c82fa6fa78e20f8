"""Auth's events leave through the outbox relay and reach a subscriber on RabbitMQ."""

from __future__ import annotations

import aio_pika
import orjson

from servicedesk_devtools.testing import eventually, unique
from servicedesk_shared.messaging.envelope import Envelope
from servicedesk_shared.messaging.topology import declare_events_exchange


async def test_registering_publishes_user_registered(committing_client, amqp_url):
    connection = await aio_pika.connect_robust(amqp_url)
    try:
        channel = await connection.channel()
        exchange = await declare_events_exchange(channel)
        queue = await channel.declare_queue(exclusive=True)
        await queue.bind(exchange, routing_key="user.registered")
        name = unique("evt")
        resp = await committing_client.post(
            "/api/auth/register",
            json={"username": name, "email": f"{name}@example.com", "password": "sable-orchard-9"},
            headers={"X-Request-ID": "req-events-0001"},
        )
        assert resp.status_code == 201

        async def ours() -> Envelope | None:
            while (message := await queue.get(fail=False)) is not None:
                await message.ack()
                event = Envelope.model_validate(orjson.loads(message.body))
                if event.data["username"] == name:
                    return event
            return None

        event = await eventually(ours)
    finally:
        await connection.close()
    assert event.type == "user.registered" and event.producer == "auth"
    assert event.correlation_id == "req-events-0001"
    assert event.data["user_id"] == resp.json()["id"]
