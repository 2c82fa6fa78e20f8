"""SLA clocks end to end (contract §13), through the gateway with the real RabbitMQ: a
1-minute first-response target on a 24x7 policy produces the warning (at 80 %), then the
breach, each once, seen by a third party's queue; the system's manager finds both in their
inbox (nobody is assigned), and the ticket shows under `sla=breached`."""

from __future__ import annotations

from functools import partial

import aio_pika
import orjson
import pytest

from servicedesk_devtools import testing
from servicedesk_shared.messaging.envelope import Envelope
from servicedesk_shared.messaging.topology import declare_events_exchange

from .conftest import ADMIN, bearer, login, next_ip, register_and_login

pytestmark = pytest.mark.e2e
SYSTEM = "HDTS"
eventually = partial(testing.eventually, timeout=120, every=0.5)
ALL_WEEK = {
    "timezone": "UTC",
    "working_days": [1, 2, 3, 4, 5, 6, 7],
    "start": "00:00",
    "end": "24:00",
    "holidays": [],
}
TARGETS = {
    "urgent": {"first_response_minutes": 1, "resolution_minutes": 240},
    "high": {"first_response_minutes": 120, "resolution_minutes": 480},
    "medium": {"first_response_minutes": 480, "resolution_minutes": 1440},
    "low": {"first_response_minutes": 1440, "resolution_minutes": 2400},
}


@pytest.fixture
async def sla_events(stack):
    """A third party's queue bound to the SLA events only."""
    connection = await aio_pika.connect_robust(stack.env["AMQP_URL"])
    channel = await connection.channel()
    exchange = await declare_events_exchange(channel)
    queue = await channel.declare_queue(f"sla-watcher-{next_ip()}", durable=True)
    await queue.bind(exchange, routing_key="ticket.sla.*")
    yield queue
    await queue.delete(if_unused=False, if_empty=False)
    await connection.close()


async def drain(queue, seen: list[Envelope]) -> list[Envelope]:
    while (message := await queue.get(fail=False)) is not None:
        await message.ack()
        seen.append(Envelope.model_validate(orjson.loads(message.body)))
    return seen


async def test_a_one_minute_target_warns_then_breaches_and_tells_the_manager(
    client, stack, sla_events
):
    admin = bearer(await login(client, ADMIN["username"], ADMIN["password"]))
    payload, manager, _ = await register_and_login(client, "slamgr")
    resp = await client.put(
        f"/api/admin/users/{manager['id']}/roles",
        headers=admin,
        json=[{"system": SYSTEM, "role": "manager"}],
    )
    assert resp.status_code == 200, resp.text
    # A roles change ends the tokens issued before it: sign in again, as the manager now.
    manager_tokens = await login(client, payload["username"], payload["password"])
    resp = await client.put(
        f"/api/sla/{SYSTEM}", headers=admin, json={"calendar": ALL_WEEK, "targets": TARGETS}
    )
    assert resp.status_code == 200, resp.text

    _, _, requester = await register_and_login(client, "slareq")
    resp = await client.post(
        "/api/tickets",
        headers=bearer(requester),
        json={
            "title": "Payroll run fails",
            "description": "since 09:00",
            "priority": "urgent",
            "system": SYSTEM,
        },
    )
    assert resp.status_code == 201, resp.text
    ticket = resp.json()
    clock = ticket["sla"]["first_response"]
    assert clock["due_at"] and clock["breached"] is False and clock["met_at"] is None

    seen: list[Envelope] = []

    async def both_emitted() -> list[Envelope]:
        mine = [e for e in await drain(sla_events, seen) if e.data["ticket"]["id"] == ticket["id"]]
        return mine if {e.type for e in mine} >= {"ticket.sla.breached"} else []

    mine = await eventually(both_emitted)
    kinds = [(e.type, e.data["target"]) for e in mine]
    assert kinds == [
        ("ticket.sla.warning", "first_response"),
        ("ticket.sla.breached", "first_response"),
    ]

    async def manager_told() -> list[dict]:
        resp = await client.get("/api/notifications", headers=bearer(manager_tokens))
        notes = [n for n in resp.json()["items"] if n["ticket_id"] == ticket["id"]]
        return notes if len(notes) == 2 else []

    notes = await eventually(manager_told)
    assert {n["kind"] for n in notes} == {"ticket.sla.warning", "ticket.sla.breached"}

    resp = await client.get(
        "/api/tickets", params={"sla": "breached", "limit": 100}, headers=bearer(manager_tokens)
    )
    assert resp.status_code == 200, resp.text
    assert ticket["id"] in {t["id"] for t in resp.json()["items"]}
    resp = await client.get(f"/api/tickets/{ticket['id']}", headers=bearer(manager_tokens))
    assert resp.json()["sla"]["first_response"]["breached"] is True
