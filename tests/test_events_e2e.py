"""Events end to end: nothing lost, nothing twice — with the broker stopped, a consumer
killed mid-batch and a poison message, on the real stack (`make run`'s processes).

The stack runs in a RabbitMQ vhost of its own; `rabbitmqctl stop_app` stops the whole
broker, so these tests assume the machine's broker is theirs while they run (CI's is).
"""

from __future__ import annotations

import asyncio
import signal
import subprocess
import sys
from collections import Counter
from collections.abc import AsyncIterator
from contextlib import asynccontextmanager
from functools import partial

import aio_pika
import httpx
import orjson
import pytest

from servicedesk_devtools import testing
from servicedesk_shared.messaging.envelope import Envelope
from servicedesk_shared.messaging.topology import declare_events_exchange

from .conftest import (
    ADMIN,
    LOG_DIR,
    bearer,
    events_drained,
    free_port,
    login,
    next_ip,
    register_and_login,
)
from .conftest import wait_http as wait_until_up

pytestmark = pytest.mark.e2e


def rabbitmqctl(*args: str) -> None:
    subprocess.run(["rabbitmqctl", "-q", *args], check=True, capture_output=True, timeout=120)


@asynccontextmanager
async def admin_client(stack) -> AsyncIterator[httpx.AsyncClient]:
    """The bootstrap superuser, signed in from an address of its own."""
    async with httpx.AsyncClient(
        base_url=stack.gateway, timeout=30, headers={"X-Forwarded-For": next_ip()}
    ) as client:
        tokens = await login(client, ADMIN["username"], ADMIN["password"])
        client.headers.update(bearer(tokens))
        yield client


async def file_ticket(client, tokens, title: str = "Printer on fire again") -> dict:
    resp = await client.post(
        "/api/tickets",
        headers=bearer(tokens),
        json={"title": title, "description": "Smoke from tray 2"},
    )
    assert resp.status_code == 201, resp.text
    return resp.json()


async def start_work(admin: httpx.AsyncClient, ticket_id: int) -> None:
    resp = await admin.post(f"/api/tickets/{ticket_id}/transitions", json={"to": "in_progress"})
    assert resp.status_code == 200, resp.text


async def inbox(client, tokens) -> list[dict]:
    resp = await client.get("/api/notifications", params={"limit": 200}, headers=bearer(tokens))
    assert resp.status_code == 200, resp.text
    return resp.json()["items"]


# Awaits `check()` until truthy; fails (TimeoutError) after 60 s.
eventually = partial(testing.eventually, timeout=60, every=0.25)


@pytest.fixture
async def subscriber(stack):
    """A third party's own durable queue bound to every event (survives a broker restart)."""
    connection = await aio_pika.connect_robust(stack.env["AMQP_URL"])
    channel = await connection.channel()
    exchange = await declare_events_exchange(channel)
    queue = await channel.declare_queue(f"third-party-{next_ip()}", durable=True)
    await queue.bind(exchange, routing_key="#")
    yield queue
    await queue.delete(if_unused=False, if_empty=False)
    await connection.close()


async def received(queue, wanted: int, seen: list[Envelope]) -> bool:
    """Drain what has arrived into `seen`. While the broker restarts the subscriber's robust
    channel is closed for a moment: report "not yet" and let it reconnect."""
    try:
        while (message := await queue.get(fail=False)) is not None:
            await message.ack()
            seen.append(Envelope.model_validate(orjson.loads(message.body)))
    except (
        aio_pika.exceptions.AMQPError,
        aio_pika.exceptions.ChannelInvalidStateError,
        RuntimeError,
    ):
        return False
    return len(seen) >= wanted


async def test_a_third_party_sees_every_event_in_the_envelope(client, stack, subscriber):
    _, _, tokens = await register_and_login(client)
    async with admin_client(stack) as admin:
        resp = await client.post(
            "/api/tickets",
            headers={**bearer(tokens), "X-Request-ID": "req-third-party-1"},
            json={"title": "VPN drops hourly", "description": "since Monday"},
        )
        ticket = resp.json()
        await client.post(
            f"/api/tickets/{ticket['id']}/comments",
            headers=bearer(tokens),
            json={"body": "Still happening"},
        )
        await start_work(admin, ticket["id"])
    seen: list[Envelope] = []

    async def ours() -> bool:
        await received(subscriber, 0, seen)
        mine = [e for e in seen if e.data.get("ticket", {}).get("id") == ticket["id"]]
        return len({e.type for e in mine}) >= 3

    await eventually(ours)
    mine = {e.type: e for e in seen if e.data.get("ticket", {}).get("id") == ticket["id"]}
    assert {"ticket.created", "comment.added", "ticket.status_changed"} <= set(mine)
    created = mine["ticket.created"]
    assert created.producer == "tickets" and created.version == 1
    assert created.correlation_id == "req-third-party-1"
    assert created.data["ticket"]["title"] == "VPN drops hourly"


async def test_with_the_broker_stopped_creates_succeed_and_every_event_arrives_once(
    client, stack, subscriber
):
    _, _, tokens = await register_and_login(client)
    async with admin_client(stack) as admin:
        rabbitmqctl("stop_app")
        try:
            tickets = [await file_ticket(client, tokens, f"Outage report {n}") for n in range(5)]
            for ticket in tickets:
                await start_work(admin, ticket["id"])
        finally:
            rabbitmqctl("start_app")
    ids = {t["id"] for t in tickets}
    seen: list[Envelope] = []

    async def all_created() -> bool:
        await received(subscriber, 0, seen)
        return ids <= {e.data["ticket"]["id"] for e in seen if e.type == "ticket.created"}

    await eventually(all_created, timeout=90)

    async def notified() -> list[dict] | None:
        items = [n for n in await inbox(client, tokens) if n["ticket_id"] in ids]
        return items if len(items) >= len(ids) else None

    await eventually(notified, timeout=90)
    await eventually(lambda: events_drained(stack))  # a duplicate would have arrived
    items = [n for n in await inbox(client, tokens) if n["ticket_id"] in ids]
    assert Counter(n["ticket_id"] for n in items) == Counter(dict.fromkeys(ids, 1))
    assert {n["count"] for n in items} == {1}  # a second copy would gather into the entry


def spawn_notifications(stack, name: str) -> subprocess.Popen:
    env = {**stack.env, "NOTIFICATIONS_PORT": str(free_port())}
    log = open(LOG_DIR / f"{name}.log", "ab")  # noqa: SIM115
    proc = subprocess.Popen(
        [sys.executable, "-m", "servicedesk_notifications"],
        env=env,
        stdout=log,
        stderr=subprocess.STDOUT,
    )
    wait_until_up(f"http://127.0.0.1:{env['NOTIFICATIONS_PORT']}/readyz", proc=proc)
    return proc


async def test_a_consumer_killed_mid_batch_leaves_each_notification_once(client, stack):
    """A second consumer on the same queue is SIGKILLed while events flow; its unacked
    deliveries go back to the queue and the inbox makes their redelivery harmless."""
    _, _, tokens = await register_and_login(client)
    extra = spawn_notifications(stack, "notifications-killed")
    async with admin_client(stack) as admin:
        tickets = [
            await file_ticket(client, tokens, f"Laptop {n} will not boot") for n in range(12)
        ]
        moves = [asyncio.create_task(start_work(admin, t["id"])) for t in tickets]
        await eventually(lambda: any(move.done() for move in moves), every=0.01)  # flowing
        extra.send_signal(signal.SIGKILL)
        await asyncio.gather(*moves)
    extra.wait()
    restarted = spawn_notifications(stack, "notifications-restarted")
    try:
        ids = {t["id"] for t in tickets}

        async def all_there() -> bool:
            items = [n for n in await inbox(client, tokens) if n["ticket_id"] in ids]
            return len({n["ticket_id"] for n in items}) == len(ids)

        await eventually(all_there)
        await eventually(lambda: events_drained(stack))  # redeliveries handled too
        items = [n for n in await inbox(client, tokens) if n["ticket_id"] in ids]
        assert Counter(n["ticket_id"] for n in items) == Counter(dict.fromkeys(ids, 1))
        assert {n["count"] for n in items} == {1}
    finally:
        restarted.terminate()
        restarted.wait(15)


async def test_a_poison_message_is_dead_lettered_and_the_queue_keeps_flowing(client, stack):
    connection = await aio_pika.connect_robust(stack.env["AMQP_URL"])
    try:
        channel = await connection.channel()
        exchange = await declare_events_exchange(channel)
        await exchange.publish(
            aio_pika.Message(b"\x00garbage{", delivery_mode=2), routing_key="ticket.status_changed"
        )
        dlq = await channel.declare_queue("notifications.dlq", passive=True)

        async def dead_lettered() -> bool:
            message = await dlq.get(fail=False)
            if message is None:
                return False
            await message.ack()
            return message.body == b"\x00garbage{"

        await eventually(dead_lettered, timeout=30)
    finally:
        await connection.close()
    _, _, tokens = await register_and_login(client)
    async with admin_client(stack) as admin:
        ticket = await file_ticket(client, tokens)
        await start_work(admin, ticket["id"])

    async def flowing() -> bool:
        return any(n["ticket_id"] == ticket["id"] for n in await inbox(client, tokens))

    await eventually(flowing)


async def test_ledger_under_faults_counts_nothing_lost_duplicated_or_unexpected(client, stack):
    """N tickets moved while the broker restarts and a consumer is killed: the ledger of
    expected notifications (one per move, to the requester) must match exactly."""
    _, _, tokens = await register_and_login(client)
    _, _, other_tokens = await register_and_login(client)
    extra = spawn_notifications(stack, "notifications-ledger")
    async with admin_client(stack) as admin:
        tickets = [await file_ticket(client, tokens, f"Ledger ticket {n}") for n in range(20)]
        try:
            for n, ticket in enumerate(tickets):
                if n == 5:
                    rabbitmqctl("stop_app")
                if n == 10:
                    rabbitmqctl("start_app")
                if n == 14:
                    extra.send_signal(signal.SIGKILL)
                await start_work(admin, ticket["id"])
        finally:
            rabbitmqctl("start_app")  # idempotent: the broker is up whatever happened
    extra.kill()
    extra.wait()
    expected = Counter(t["id"] for t in tickets)

    async def settled() -> bool:
        got = [n["ticket_id"] for n in await inbox(client, tokens)]
        return len(set(got) & set(expected)) == len(expected)

    await eventually(settled, timeout=120)
    await eventually(lambda: events_drained(stack))
    got: Counter[int] = Counter()
    for entry in await inbox(client, tokens):  # a ticket's changes gather into one entry
        got[entry["ticket_id"]] += entry["count"]
    lost = expected - got
    duplicated = {k: v - 1 for k, v in got.items() if k in expected and v > 1}
    unexpected = {k: v for k, v in got.items() if k not in expected}
    assert (dict(lost), duplicated, unexpected) == ({}, {}, {})
    assert await inbox(client, other_tokens) == []
