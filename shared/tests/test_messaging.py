"""The outbox relay and the idempotent consumer against the real RabbitMQ and PostgreSQL."""

from __future__ import annotations

import asyncio
import uuid

import aio_pika
import orjson
import pytest
from sqlalchemy import text
from sqlalchemy.exc import TimeoutError as PoolTimeout

from servicedesk_devtools.testing import acked, eventually, throwaway_database, throwaway_vhost
from servicedesk_shared.db import create_engine, session_factory
from servicedesk_shared.messaging import outbox
from servicedesk_shared.messaging import relay as relays
from servicedesk_shared.messaging.consumer import Consumer
from servicedesk_shared.messaging.envelope import Envelope, new_event
from servicedesk_shared.messaging.inbox import inbox_table_sql
from servicedesk_shared.messaging.relay import OutboxRelay
from servicedesk_shared.messaging.topology import EVENTS_EXCHANGE, UNROUTED

OUTBOX = """CREATE TABLE outbox (id uuid PRIMARY KEY, type text NOT NULL, payload jsonb NOT NULL,
            occurred_at timestamptz NOT NULL DEFAULT now(), published_at timestamptz)"""
EFFECTS = "CREATE TABLE effects (event_id uuid NOT NULL, note text)"


@pytest.fixture(scope="module")
async def amqp_url():
    async with throwaway_vhost("desk_shared") as url:
        yield url


@pytest.fixture(scope="module")
async def engine():
    async with throwaway_database("desk_shared_test", None) as url:
        engine = create_engine(url)
        async with engine.begin() as conn:
            for statement in [OUTBOX, EFFECTS, inbox_table_sql()]:
                await conn.execute(text(statement))
        yield engine
        await engine.dispose()


@pytest.fixture
async def channel(amqp_url):
    connection = await aio_pika.connect_robust(amqp_url)
    channel = await connection.channel()
    yield channel
    await connection.close()


INSERT = text("INSERT INTO outbox (id, type, payload) VALUES (:id, :type, :payload)")


def _params(event: dict) -> dict:
    return {"id": event["id"], "type": event["type"], "payload": orjson.dumps(event).decode()}


async def write_events(engine, events: list[dict]) -> None:
    """Rows written as another process would (no wake-up here: only the poll finds them)."""
    async with engine.begin() as conn:
        for event in events:
            await conn.execute(INSERT, _params(event))


async def commit_events(engine, events: list[dict], *, commit: bool = True) -> None:
    """Rows written in a session marked as a producer's is (`outbox.written`), committed
    (or rolled back): its commit wakes this process's relays."""
    async with session_factory(engine)() as session:
        for event in events:
            await session.execute(INSERT, _params(event))
        outbox.written(session)
        await (session.commit() if commit else session.rollback())


def sample(event_type: str = "ticket.created", **data) -> dict:
    return new_event(
        event_type, {"ticket_id": 1, **data}, producer="test", correlation_id="req-1234567890"
    )


async def bound_queue(channel, *keys: str):
    events = await channel.declare_exchange(
        EVENTS_EXCHANGE, aio_pika.ExchangeType.TOPIC, durable=True, passive=True
    )
    queue = await channel.declare_queue(exclusive=True)
    for key in keys:
        await queue.bind(events, routing_key=key)
    return queue


async def drain(queue, count: int, timeout: float = 10) -> list[dict]:
    got: list[dict] = []
    async with queue.iterator() as messages:
        async with asyncio.timeout(timeout):
            async for message in messages:
                await message.ack()
                got.append(orjson.loads(message.body))
                if len(got) == count:
                    break
    return got


async def test_the_relay_publishes_committed_events_with_the_envelope(engine, amqp_url, channel):
    # Polling once an hour: what arrives was sent because the commit woke the relay.
    relay = OutboxRelay(engine=engine, amqp_url=amqp_url, producer="test", poll_interval=3600)
    await relay.publish_batch()  # declares the exchange
    queue = await bound_queue(channel, "ticket.*")
    relay.start()
    try:
        events = [sample(n=n) for n in range(5)]
        await commit_events(engine, events)
        got = await drain(queue, 5)
    finally:
        await relay.stop()
    assert sorted(g["id"] for g in got) == sorted(e["id"] for e in events)
    envelope = Envelope.model_validate(got[0])
    assert envelope.type == "ticket.created" and envelope.correlation_id == "req-1234567890"
    async with engine.connect() as conn:
        left = await conn.scalar(text("SELECT count(*) FROM outbox WHERE published_at IS NULL"))
    assert left == 0


async def test_events_wait_in_the_outbox_while_the_broker_is_unreachable(engine, amqp_url, channel):
    down = OutboxRelay(engine=engine, amqp_url="amqp://guest:guest@127.0.0.1:1/", producer="t")
    events = [sample("ticket.updated") for _ in range(3)]
    await write_events(engine, events)
    with pytest.raises(OSError, match="onnect"):
        await down.publish_batch()
    pending, lag = await OutboxRelay(engine=engine, amqp_url=amqp_url, producer="t").measure_lag()
    assert pending >= 3 and lag >= 0
    queue = await bound_queue(channel, "ticket.updated")
    up = OutboxRelay(engine=engine, amqp_url=amqp_url, producer="t")
    up.start()
    try:
        got = await drain(queue, 3)
    finally:
        await up.stop()
    assert {g["id"] for g in got} == {e["id"] for e in events}


async def test_two_relays_at_once_publish_each_row_once(engine, amqp_url, channel):
    queue = await bound_queue(channel, "comment.added")
    events = [sample("comment.added", n=n) for n in range(400)]
    await write_events(engine, events)
    relays = [
        OutboxRelay(engine=engine, amqp_url=amqp_url, producer=f"r{i}", batch_size=50)
        for i in range(2)
    ]
    for relay in relays:
        relay.start()
    try:
        got = await drain(queue, 400, timeout=30)
    finally:
        for relay in relays:
            await relay.stop()
    # A stopped relay has finished its batch in flight and had every publish confirmed:
    # whatever either relay sent is in the queue by now, a second copy included.
    extra = await queue.get(fail=False)
    assert extra is None
    assert sorted(g["id"] for g in got) == sorted(e["id"] for e in events)


async def test_an_event_nobody_subscribes_to_is_kept_not_lost(engine, amqp_url, channel):
    relay = OutboxRelay(engine=engine, amqp_url=amqp_url, producer="test")
    event = sample("nobody.listens")
    await write_events(engine, [event])
    assert await relay.publish_batch() == 1
    await relay.stop()
    unrouted = await channel.declare_queue(UNROUTED, passive=True)
    ids = []
    while (message := await unrouted.get(fail=False)) is not None:
        await message.ack()
        ids.append(orjson.loads(message.body)["id"])
    assert event["id"] in ids


async def publish_raw(channel, routing_key: str, body: bytes) -> None:
    events = await channel.declare_exchange(
        EVENTS_EXCHANGE, aio_pika.ExchangeType.TOPIC, durable=True, passive=True
    )
    await events.publish(aio_pika.Message(body, delivery_mode=2), routing_key=routing_key)


async def effects_of(engine, event_id: str) -> int:
    async with engine.connect() as conn:
        return await conn.scalar(
            text("SELECT count(*) FROM effects WHERE event_id = :e"), {"e": uuid.UUID(event_id)}
        )


def consumer_for(engine, amqp_url, name, handler, **kwargs) -> Consumer:
    return Consumer(
        name=name,
        amqp_url=amqp_url,
        sessions=session_factory(engine),
        handlers={"ticket.created": handler},
        base_backoff=0.05,
        **kwargs,
    )


async def record(session, event: Envelope) -> None:
    await session.execute(
        text("INSERT INTO effects (event_id, note) VALUES (:e, :n)"),
        {"e": event.id, "n": event.data.get("note")},
    )


async def test_a_redelivered_event_has_one_effect(engine, amqp_url, channel):
    consumer = consumer_for(engine, amqp_url, "test.once", record)
    consumer.start()
    await consumer.ready.wait()
    before = acked("test.once", "ticket.created")
    try:
        event, sentinel = sample(), sample(note="sentinel")
        for body in (event, event, event, sentinel):
            await publish_raw(channel, "ticket.created", orjson.dumps(body))
        # Deliveries are handled concurrently (up to the prefetch), so the sentinel's effect
        # alone does not say the copies before it are done: wait for all four acked too.
        await eventually(lambda: _positive(effects_of(engine, sentinel["id"])))
        await eventually(lambda: acked("test.once", "ticket.created") >= before + 4)
    finally:
        await consumer.stop()
    assert await effects_of(engine, event["id"]) == 1


async def test_poison_and_failing_messages_go_to_the_dead_letter_queue(engine, amqp_url, channel):
    async def fussy(session, event: Envelope) -> None:
        if event.data.get("note") == "poison":
            raise RuntimeError("cannot handle this one")
        await record(session, event)

    consumer = consumer_for(engine, amqp_url, "test.dlq", fussy, delivery_limit=3)
    consumer.start()
    await consumer.ready.wait()
    try:
        bad, good = sample(note="poison"), sample(note="fine")
        await publish_raw(channel, "ticket.created", b"{not json")
        await publish_raw(channel, "ticket.created", orjson.dumps(bad))
        await publish_raw(channel, "ticket.created", orjson.dumps(good))
        await eventually(lambda: _positive(effects_of(engine, good["id"])))
        dlq = await channel.declare_queue("test.dlq.dlq", passive=True)
        dead = []

        async def two_dead() -> bool:
            message = await dlq.get(fail=False)
            if message is not None:
                await message.ack()
                dead.append(message.body)
            return len(dead) == 2

        await eventually(two_dead, timeout=20)
    finally:
        await consumer.stop()
    assert b"{not json" in dead
    assert any(b"poison" in body for body in dead)
    assert await effects_of(engine, bad["id"]) == 0


async def _positive(value) -> bool:
    return (await value) > 0


async def test_an_exhausted_db_pool_uses_up_no_delivery_attempt(engine, amqp_url, channel):
    busy = 0

    async def pool_busy_three_times(session, event: Envelope) -> None:
        nonlocal busy
        if busy < 3:
            busy += 1
            raise PoolTimeout("QueuePool limit reached, connection timed out")
        await record(session, event)

    consumer = consumer_for(engine, amqp_url, "test.busy", pool_busy_three_times, delivery_limit=2)
    consumer.start()
    await consumer.ready.wait()
    try:
        event = sample(note="busy")
        await publish_raw(channel, "ticket.created", orjson.dumps(event))
        await eventually(lambda: _positive(effects_of(engine, event["id"])))
        dlq = await channel.declare_queue("test.busy.dlq", passive=True)
        assert dlq.declaration_result.message_count == 0
    finally:
        await consumer.stop()
    assert busy == 3
    assert await effects_of(engine, event["id"]) == 1


async def unpublished(engine, events: list[dict]) -> int:
    async with engine.connect() as conn:
        return await conn.scalar(
            text("SELECT count(*) FROM outbox WHERE id = ANY(:ids) AND published_at IS NULL"),
            {"ids": [uuid.UUID(e["id"]) for e in events]},
        )


async def test_a_batch_whose_publish_fails_stays_unpublished(engine, amqp_url, channel):
    relay = OutboxRelay(engine=engine, amqp_url=amqp_url, producer="test")
    exchange = await relay._exchange_ready()
    await relay.publish_batch()  # nothing of this test's left over
    events = [sample("ticket.commented", n=n) for n in range(5)]
    await write_events(engine, events)
    publish = exchange.publish

    async def broker_refuses_the_third(message, routing_key, **kwargs):
        if message.message_id == events[2]["id"]:
            raise aio_pika.exceptions.DeliveryError(None, None)
        return await publish(message, routing_key, **kwargs)

    exchange.publish = broker_refuses_the_third
    with pytest.raises(aio_pika.exceptions.DeliveryError):
        await relay.publish_batch()
    assert await unpublished(engine, events) == 5  # claimed and marked, rolled back
    exchange.publish = publish
    assert await relay.publish_batch() == 5
    await relay.stop()
    assert await unpublished(engine, events) == 0


async def test_a_burst_of_commits_goes_out_in_few_batches(engine, amqp_url, channel):
    relay = OutboxRelay(
        engine=engine, amqp_url=amqp_url, producer="test", gather=0.5, poll_interval=3600
    )
    await relay.publish_batch()  # declares the exchange; nothing of this test's left over
    queue = await bound_queue(channel, "ticket.burst")
    batches: list[int] = []
    publish_batch = relay.publish_batch

    async def counted() -> int:
        published = await publish_batch()
        if published:
            batches.append(published)
        return published

    relay.publish_batch = counted
    relay.start()
    try:
        events = [sample("ticket.burst", n=n) for n in range(10)]
        for event in events:  # ten commits, ten wake-ups
            await commit_events(engine, [event])
        got = await drain(queue, 10)
    finally:
        await relay.stop()
    assert sorted(g["id"] for g in got) == sorted(e["id"] for e in events)
    assert sum(batches) == 10 and len(batches) < 10


class CountingRelay:
    def __init__(self) -> None:
        self.pokes = 0

    def poke(self) -> None:
        self.pokes += 1


async def test_only_a_committed_outbox_write_wakes_the_relays(engine, monkeypatch):
    fake = CountingRelay()
    monkeypatch.setattr(relays, "_running", {fake})
    await commit_events(engine, [sample("ticket.rolled")], commit=False)
    assert fake.pokes == 0  # rolled back: nothing to publish
    async with session_factory(engine)() as session:  # a commit that wrote no event
        await session.execute(text("INSERT INTO effects (event_id) VALUES (gen_random_uuid())"))
        await session.commit()
    assert fake.pokes == 0
    await commit_events(engine, [sample("ticket.kept")])
    assert fake.pokes == 1
    async with session_factory(engine)() as session:  # the mark went with that commit
        await session.execute(text("INSERT INTO effects (event_id) VALUES (gen_random_uuid())"))
        await session.commit()
    assert fake.pokes == 1


async def test_a_savepoint_rolled_back_keeps_the_wake_up_of_the_rows_before_it(engine, monkeypatch):
    """A bulk change runs each ticket in a SAVEPOINT: one that fails must not cost the
    others' events their wake-up."""
    fake = CountingRelay()
    monkeypatch.setattr(relays, "_running", {fake})
    async with session_factory(engine)() as session:
        await session.execute(INSERT, _params(sample("ticket.first")))
        outbox.written(session)
        savepoint = await session.begin_nested()
        await session.execute(INSERT, _params(sample("ticket.second")))
        await savepoint.rollback()  # this one failed
        await session.commit()
    assert fake.pokes == 1


async def test_a_relay_is_woken_while_it_runs_only(engine, amqp_url):
    relay = OutboxRelay(engine=engine, amqp_url=amqp_url, producer="test")
    relay.start()
    assert relay in relays._running
    await relay.stop()
    assert relay not in relays._running


async def test_a_writer_outside_the_services_wakes_the_relays_with_a_notify(
    engine, amqp_url, channel
):
    relay = OutboxRelay(engine=engine, amqp_url=amqp_url, producer="test", poll_interval=3600)
    await relay.publish_batch()  # declares the exchange
    queue = await bound_queue(channel, "ticket.scripted")
    relay.start()
    try:
        await eventually(lambda: _listening(engine))
        events = [sample("ticket.scripted", n=n) for n in range(3)]
        async with engine.begin() as conn:
            for event in events:
                await conn.execute(INSERT, _params(event))
            await conn.execute(text(relays.WAKE_SQL))
        got = await drain(queue, 3)
    finally:
        await relay.stop()
    assert sorted(g["id"] for g in got) == sorted(e["id"] for e in events)


async def _listening(engine) -> bool:
    async with engine.connect() as conn:
        channels = await conn.scalar(
            text(
                "SELECT count(*) FROM pg_stat_activity"
                " WHERE datname = current_database() AND query LIKE :q"
            ),
            {"q": f"LISTEN%{relays.CHANNEL}%"},
        )
    return bool(channels)


async def test_rows_another_process_wrote_are_published_by_the_poll(engine, amqp_url, channel):
    relay = OutboxRelay(engine=engine, amqp_url=amqp_url, producer="test", poll_interval=0.2)
    await relay.publish_batch()  # declares the exchange
    queue = await bound_queue(channel, "ticket.elsewhere")
    relay.start()
    try:
        events = [sample("ticket.elsewhere", n=n) for n in range(3)]
        await write_events(engine, events)  # no wake-up: found by the next poll
        got = await drain(queue, 3)
    finally:
        await relay.stop()
    assert sorted(g["id"] for g in got) == sorted(e["id"] for e in events)
