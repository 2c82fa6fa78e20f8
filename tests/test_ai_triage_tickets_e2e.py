"""AI triage on the real stack: an `ai.triage.suggested` event on the run's own RabbitMQ
vhost reaches the tickets service's consumer and shows on the ticket through the gateway,
with tickets' own duplicate candidates; `/similar` answers through the gateway too.

The event is published here as ai-assist would publish it, so the test holds with or
without ai-assist (and a model) in the stack. ai-assist may triage the same ticket itself;
our event is dated an hour ahead, like a later re-run, so it is the newest whichever
arrives first, and the test waits for *its* model name.
"""

from __future__ import annotations

from datetime import UTC, datetime, timedelta

import aio_pika
import orjson
import pytest

from servicedesk_devtools.testing import eventually
from servicedesk_shared.messaging.envelope import new_event
from servicedesk_shared.messaging.topology import declare_events_exchange

from .conftest import bearer, register_and_login

pytestmark = pytest.mark.e2e

MODEL = "e2e-published-triage"
VPN = {
    "title": "Flurbo VPN drops every hour",
    "description": "Since Monday the Flurbo VPN connection drops every hour",
}


async def publish_triage(stack, ticket_id: int) -> None:
    data = {
        "ticket_id": ticket_id,
        "status": "suggested",
        "category": "network",
        "priority": "urgent",
        "title": "Flurbo VPN outage",
        "summary": "VPN drops hourly",
        "confidence": 0.92,
        "model": MODEL,
        "possible_duplicates": [],
        "error": None,
    }
    later = datetime.now(UTC) + timedelta(hours=1)
    event = new_event("ai.triage.suggested", data, producer="ai-assist", occurred_at=later)
    connection = await aio_pika.connect_robust(stack.env["AMQP_URL"])
    try:
        exchange = await declare_events_exchange(await connection.channel())
        message = aio_pika.Message(orjson.dumps(event), delivery_mode=2, message_id=event["id"])
        await exchange.publish(message, routing_key="ai.triage.suggested")
    finally:
        await connection.close()


async def test_a_published_triage_shows_on_the_ticket_with_its_duplicates(client, stack):
    _, _, tokens = await register_and_login(client, "triage")
    _, _, stranger = await register_and_login(client, "stranger")
    headers = bearer(tokens)

    async def create(token_headers, **body) -> dict:
        response = await client.post("/api/tickets", headers=token_headers, json=body)
        assert response.status_code == 201, response.text
        return response.json()

    earlier = await create(headers, **VPN)
    theirs = await create(bearer(stranger), **VPN)
    again = {
        "title": "Flurbo VPN drops hourly again",
        "description": "The Flurbo VPN connection drops every hour since Monday",
    }
    ticket = await create(headers, **again)
    assert ticket["ai_triage"]["status"] == "pending"
    await publish_triage(stack, ticket["id"])

    async def triaged() -> dict | None:
        shown = (await client.get(f"/api/tickets/{ticket['id']}", headers=headers)).json()
        return shown if shown["ai_triage"]["model"] == MODEL else None

    shown = await eventually(triaged, timeout=60, every=0.25)
    triage = shown["ai_triage"]
    assert triage["status"] == "suggested" and triage["error"] is None
    assert (triage["priority"], triage["category"], triage["confidence"]) == (
        "urgent",
        "network",
        0.92,
    )
    assert triage["possible_duplicates"] == [earlier["id"]]  # never the stranger's
    assert shown["updated_at"] == ticket["updated_at"]  # auto-apply is off by default
    assert shown["priority"] == "medium"

    similar = await client.get(f"/api/tickets/{ticket['id']}/similar/", headers=headers)
    assert similar.status_code == 200, similar.text
    items = similar.json()["items"]
    assert [item["id"] for item in items] == [earlier["id"]]
    assert items[0]["title"] == VPN["title"] and 0 < items[0]["score"] <= 1
    unseen = await client.get(f"/api/tickets/{theirs['id']}/similar", headers=headers)
    assert unseen.status_code == 404
