"""Queues and bulk work end to end (contract §14): saved views with live counts through the
gateway, and a bulk assignment that publishes one event per changed ticket on RabbitMQ."""

from __future__ import annotations

from collections import Counter

import aio_pika
import orjson
import pytest

from servicedesk_devtools.testing import eventually
from servicedesk_shared.messaging.envelope import Envelope
from servicedesk_shared.messaging.topology import declare_events_exchange

from .test_tickets_e2e import Person, new_ticket, person

pytestmark = pytest.mark.e2e


@pytest.fixture
async def assignments(stack):
    """An exclusive queue bound to `ticket.assigned` and `ticket.updated`."""
    connection = await aio_pika.connect_robust(stack.env["AMQP_URL"])
    channel = await connection.channel()
    exchange = await declare_events_exchange(channel)
    queue = await channel.declare_queue(exclusive=True)
    for key in ("ticket.assigned", "ticket.updated"):
        await queue.bind(exchange, routing_key=key)
    yield queue
    await connection.close()


async def views(who: Person) -> dict[str, dict]:
    response = await who.client.get("/api/views", headers=who.headers)
    assert response.status_code == 200, response.text
    return {v["id"]: v for v in response.json()["items"]}


async def in_directory(manager: Person, agent: Person) -> bool:
    """The agent's role has reached tickets' directory (over `user.roles_changed`)."""
    query = {"system": "TTS", "q": agent.user["username"]}
    response = await manager.client.get("/api/people", params=query, headers=manager.headers)
    return any(p["id"] == str(agent.user["id"]) for p in response.json()["items"])


async def test_shared_views_count_what_each_viewer_may_see(stack):
    async with (
        person(stack) as req,
        person(stack, {"TTS": "admin"}) as admin,
        person(stack, {"TTS": "agent"}) as agent,
        person(stack, {"HDTS": "agent"}) as outsider,
    ):
        for n in range(3):
            await new_ticket(req, f"E2E queue ticket {n}")
        body = {
            "name": "Their tickets",
            "shared": True,
            "filters": {"system": "TTS", "requester": str(req.user["id"])},
        }
        created = await admin.client.post("/api/views", headers=admin.headers, json=body)
        assert created.status_code == 201, created.text
        shared = created.json()
        assert shared["count"] == 3

        seen = await views(agent)
        assert list(seen)[:3] == ["mine", "unassigned", "at_risk"]
        assert seen[shared["id"]]["count"] == 3 and not seen[shared["id"]]["editable"]
        page = await agent.client.get(
            f"/api/views/{shared['id']}/tickets?limit=2", headers=agent.headers
        )
        assert page.json()["total"] == 3 and len(page.json()["items"]) == 2
        assert shared["id"] not in await views(outsider)
        assert shared["id"] not in await views(req)

        refused = await agent.client.post("/api/views", headers=agent.headers, json=body)
        assert refused.status_code == 403
        bad = await agent.client.post(
            "/api/views", headers=agent.headers, json={"name": "x", "filters": {"owner": "me"}}
        )
        assert bad.status_code == 422 and "owner" in bad.text


async def test_bulk_assign_publishes_one_event_per_ticket(stack, assignments):
    async with (
        person(stack) as req,
        person(stack, {"TTS": "manager"}) as manager,
        person(stack, {"TTS": "agent"}) as agent,
    ):
        tickets = [await new_ticket(req, f"E2E bulk ticket {n}") for n in range(3)]
        ids = [t["id"] for t in tickets]
        await eventually(lambda: in_directory(manager, agent), timeout=10, every=0.2)
        body = {"ids": [*ids, ids[0], 987654321], "action": {"assign": str(agent.user["id"])}}
        response = await manager.client.post(
            "/api/tickets/bulk", headers=manager.headers, json=body
        )
        assert response.status_code == 200, response.text
        results = response.json()["results"]
        assert [(r["id"], r["ok"]) for r in results] == [
            *((i, True) for i in ids),
            (987654321, False),
        ]
        assert results[-1]["code"] == "not_found"

        mine = (await views(agent))["mine"]
        assert mine["count"] == 3
        page = await agent.client.get("/api/views/mine/tickets", headers=agent.headers)
        assert sorted(t["id"] for t in page.json()["items"]) == sorted(ids)

        seen: list[Envelope] = []

        async def all_arrived() -> bool:
            while (message := await assignments.get(fail=False)) is not None:
                await message.ack()
                seen.append(Envelope.model_validate(orjson.loads(message.body)))
            return (
                len(
                    {
                        (e.type, e.data["ticket"]["id"])
                        for e in seen
                        if e.data["ticket"]["id"] in ids
                    }
                )
                >= 6
            )

        await eventually(all_arrived, timeout=30, every=0.2)
        ours = {e.id: e for e in seen if e.data["ticket"]["id"] in ids}.values()
        per_ticket = Counter((e.type, e.data["ticket"]["id"]) for e in ours)
        kinds = ("ticket.assigned", "ticket.updated")
        assert per_ticket == Counter({(kind, i): 1 for kind in kinds for i in ids})
