"""A consumer that commits the deliveries waiting together in one transaction keeps every
guarantee of one transaction per delivery: each effect once, a failing event retried or
dead-lettered alone, nothing lost or doubled when the commit never happens.

Each test publishes its burst before the consumer starts, so the broker hands it over
at once (up to the prefetch), and gives the consumer a long `gather` window, so the
burst is handled in groups whatever the machine's speed.
"""

from __future__ import annotations

import asyncio
import uuid

import aio_pika
import orjson
import pytest
from prometheus_client import REGISTRY
from sqlalchemy import event as sa_event
from sqlalchemy import text
from sqlalchemy.ext.asyncio import async_sessionmaker
from sqlalchemy.orm import Session

from servicedesk_devtools.testing import acked, eventually, throwaway_database, throwaway_vhost
from servicedesk_shared.db import create_engine, session_factory
from servicedesk_shared.messaging.consumer import Consumer
from servicedesk_shared.messaging.envelope import Envelope, new_event
from servicedesk_shared.messaging.inbox import inbox_table_sql
from servicedesk_shared.messaging.topology import (
    EVENTS_EXCHANGE,
    declare_consumer_queue,
    declare_events_exchange,
)

EFFECTS = "CREATE TABLE effects (event_id uuid NOT NULL, note text)"


@pytest.fixture(scope="module")
async def amqp_url():
    async with throwaway_vhost("desk_groups") as url:
        yield url


@pytest.fixture(scope="module")
async def engine():
    async with throwaway_database("desk_groups_test", None) as url:
        engine = create_engine(url)
        async with engine.begin() as conn:
            for statement in [EFFECTS, inbox_table_sql()]:
                await conn.execute(text(statement))
        yield engine
        await engine.dispose()


@pytest.fixture
async def channel(amqp_url):
    connection = await aio_pika.connect_robust(amqp_url)
    channel = await connection.channel()
    await declare_events_exchange(channel)
    yield channel
    await connection.close()


def sample(note: str = "fine") -> dict:
    return new_event("ticket.created", {"note": note}, producer="test", correlation_id="req-1")


async def burst(channel, name: str, events: list[dict], *, delivery_limit: int = 5) -> None:
    """The consumer's queue, declared as the consumer will, with the events already in it."""
    await declare_consumer_queue(channel, name, ["ticket.created"], delivery_limit=delivery_limit)
    exchange = await channel.get_exchange(EVENTS_EXCHANGE)
    for ev in events:
        await exchange.publish(
            aio_pika.Message(orjson.dumps(ev), delivery_mode=2), routing_key="ticket.created"
        )


def grouping(
    engine, amqp_url: str, name: str, handler, *, delivery_limit: int = 5, sessions=None
) -> Consumer:
    """A consumer committing up to 16 deliveries together, started."""
    consumer = Consumer(
        name=name,
        amqp_url=amqp_url,
        sessions=sessions or session_factory(engine),
        handlers={"ticket.created": handler},
        group_size=16,
        gather=0.2,
        delivery_limit=delivery_limit,
        base_backoff=0.05,
    )
    consumer.start()
    return consumer


async def record(session, event: Envelope) -> None:
    await session.execute(
        text("INSERT INTO effects (event_id, note) VALUES (:e, :n)"),
        {"e": event.id, "n": event.data.get("note")},
    )


async def effects(engine, events: list[dict]) -> dict[str, int]:
    """How many effects each event had."""
    async with engine.connect() as conn:
        rows = await conn.execute(
            text("SELECT event_id, count(*) FROM effects WHERE event_id = ANY(:ids) GROUP BY 1"),
            {"ids": [uuid.UUID(e["id"]) for e in events]},
        )
        counted = {str(event_id): n for event_id, n in rows}
    return {e["id"]: counted.get(e["id"], 0) for e in events}


def groups_of(name: str) -> tuple[float, float]:
    """(deliveries, groups) the consumer committed together so far."""
    labels = {"consumer": name}
    total = REGISTRY.get_sample_value("events_consumer_group_size_sum", labels) or 0.0
    count = REGISTRY.get_sample_value("events_consumer_group_size_count", labels) or 0.0
    return total, count


async def dead_letters(channel, name: str, wanted: int) -> list[bytes]:
    dlq = await channel.declare_queue(f"{name}.dlq", passive=True)
    dead: list[bytes] = []

    async def enough() -> bool:
        while (message := await dlq.get(fail=False)) is not None:
            await message.ack()
            dead.append(message.body)
        return len(dead) >= wanted

    await eventually(enough, timeout=20)
    return dead


async def test_a_burst_commits_in_groups_with_one_effect_each(engine, amqp_url, channel):
    events = [sample() for _ in range(40)]
    await burst(channel, "groups.burst", [*events, events[3], events[7]])  # two redelivered
    before = acked("groups.burst", "ticket.created")
    consumer = grouping(engine, amqp_url, "groups.burst", record)
    try:  # every delivery handled, the copies too
        await eventually(lambda: acked("groups.burst", "ticket.created") >= before + 42)
    finally:
        await consumer.stop()
    assert set((await effects(engine, events)).values()) == {1}
    deliveries, groups = groups_of("groups.burst")
    assert deliveries == 42 and groups <= 4  # committed 16 at a time, not one by one


async def _all_done(engine, events: list[dict]) -> bool:
    return all(n > 0 for n in (await effects(engine, events)).values())


async def test_a_poisoned_event_is_retried_and_dead_lettered_alone(engine, amqp_url, channel):
    seen: list[str] = []

    async def fussy(session, event: Envelope) -> None:
        seen.append(str(event.id))
        if event.data["note"] == "poison":
            raise RuntimeError("cannot handle this one")
        await record(session, event)

    good = [sample() for _ in range(10)]
    bad = sample("poison")
    await burst(channel, "groups.poison", [*good[:5], bad, *good[5:]], delivery_limit=3)
    consumer = grouping(engine, amqp_url, "groups.poison", fussy, delivery_limit=3)
    try:
        await eventually(lambda: _all_done(engine, good))
        [dead] = await dead_letters(channel, "groups.poison", wanted=1)
    finally:
        await consumer.stop()
    assert orjson.loads(dead)["id"] == bad["id"]
    assert set((await effects(engine, good)).values()) == {1}
    assert (await effects(engine, [bad]))[bad["id"]] == 0
    assert seen.count(bad["id"]) >= 3  # each of its three deliveries tried
    assert seen.count(good[4]["id"]) >= 2  # in the group that rolled back, then on its own


async def test_a_failed_commit_loses_nothing_and_doubles_nothing(engine, amqp_url, channel):
    class Crashing(Session):
        pass

    sessions = async_sessionmaker(engine, expire_on_commit=False, sync_session_class=Crashing)
    failures = []

    @sa_event.listens_for(Crashing, "before_commit")
    def crash_once(session) -> None:
        if not failures:
            failures.append(session)
            raise ConnectionResetError("the connection dropped before COMMIT")

    events = [sample() for _ in range(12)]
    await burst(channel, "groups.crash", events)
    before = acked("groups.crash", "ticket.created")
    consumer = grouping(engine, amqp_url, "groups.crash", record, sessions=sessions)
    try:
        await eventually(lambda: acked("groups.crash", "ticket.created") >= before + 12)
    finally:
        await consumer.stop()
    assert failures and set((await effects(engine, events)).values()) == {1}
    dlq = await channel.declare_queue("groups.crash.dlq", passive=True)
    assert dlq.declaration_result.message_count == 0


async def test_a_consumer_stopped_before_its_commit_is_redelivered(engine, amqp_url, channel):
    blocked = asyncio.Event()

    async def stuck_on_the_last(session, event: Envelope) -> None:
        await record(session, event)
        if event.data["note"] == "last":
            blocked.set()
            await asyncio.Event().wait()  # the process dies here, before COMMIT

    events = [*(sample() for _ in range(7)), sample("last")]
    await burst(channel, "groups.stop", events)
    before = acked("groups.stop", "ticket.created")
    first = grouping(engine, amqp_url, "groups.stop", stuck_on_the_last)
    try:
        await asyncio.wait_for(blocked.wait(), 10)
    finally:
        await first.stop()
    assert set((await effects(engine, events)).values()) == {0}  # nothing committed
    assert acked("groups.stop", "ticket.created") == before
    second = grouping(engine, amqp_url, "groups.stop", record)
    try:
        await eventually(lambda: acked("groups.stop", "ticket.created") >= before + 8)
    finally:
        await second.stop()
    assert set((await effects(engine, events)).values()) == {1}


def preparing(engine, amqp_url: str, name: str, prepare, *, group_size: int = 16, **kw):
    """A consumer whose handler records what `prepare` returned for the event, started."""

    async def record_prepared(session, event: Envelope, prepared) -> None:
        await session.execute(
            text("INSERT INTO effects (event_id, note) VALUES (:e, :n)"),
            {"e": event.id, "n": prepared},
        )

    consumer = Consumer(
        name=name,
        amqp_url=amqp_url,
        sessions=session_factory(engine),
        handlers={"ticket.created": record_prepared},
        prepare={"ticket.created": prepare},
        group_size=group_size,
        gather=0.2,
        base_backoff=0.05,
        **kw,
    )
    consumer.start()
    return consumer


async def notes(engine, events: list[dict]) -> set[str]:
    async with engine.connect() as conn:
        rows = await conn.scalars(
            text("SELECT note FROM effects WHERE event_id = ANY(:ids)"),
            {"ids": [uuid.UUID(e["id"]) for e in events]},
        )
        return set(rows)


@pytest.mark.parametrize("group_size", [1, 16])
async def test_prepare_holds_no_connection_and_hands_its_result_to_the_handler(
    engine, amqp_url, channel, group_size
):
    """What ai-assist does with a model call: no pooled connection (so no open
    transaction) waits on it, and each effect is still recorded once."""
    name = f"groups.prepare{group_size}"
    release = asyncio.Event()
    held: list[int] = []

    async def slow(event: Envelope) -> str:
        held.append(engine.pool.checkedout())
        await release.wait()
        return f"prepared {event.data['note']}"

    events = [sample(f"n{i}") for i in range(6)]
    await burst(channel, name, [*events, events[2]])  # one delivered twice
    before = acked(name, "ticket.created")
    consumer = preparing(engine, amqp_url, name, slow, group_size=group_size)
    try:
        await eventually(lambda: len(held) >= 4)  # (up to the prefetch) all waiting at once
        assert set(held) == {0}
        assert engine.pool.checkedout() == 0
        release.set()
        await eventually(lambda: acked(name, "ticket.created") >= before + 7)
    finally:
        await consumer.stop()
    assert set((await effects(engine, events)).values()) == {1}
    assert await notes(engine, events) == {f"prepared n{i}" for i in range(6)}


async def test_a_failing_prepare_is_retried_then_dead_lettered_alone(engine, amqp_url, channel):
    async def fussy(event: Envelope) -> str:
        if event.data["note"] == "poison":
            raise RuntimeError("the model choked")
        return "ok"

    good = [sample() for _ in range(6)]
    bad = sample("poison")
    await burst(channel, "groups.badprep", [*good[:3], bad, *good[3:]], delivery_limit=3)
    consumer = preparing(engine, amqp_url, "groups.badprep", fussy, delivery_limit=3)
    try:
        await eventually(lambda: _all_done(engine, good))
        [dead] = await dead_letters(channel, "groups.badprep", wanted=1)
    finally:
        await consumer.stop()
    assert orjson.loads(dead)["id"] == bad["id"]
    assert set((await effects(engine, good)).values()) == {1}
    assert (await effects(engine, [bad]))[bad["id"]] == 0


async def test_a_group_never_acks_a_delivery_still_being_prepared(engine, amqp_url, channel):
    """`basic.ack(multiple)` acks every delivery up to its tag: the first delivery, still
    waiting on its prepare when the later ones commit as a group, must not go with them
    (its prepare then fails: had it been acked, it would be lost)."""
    first, *rest = [sample("first"), *(sample() for _ in range(5))]
    others_done = asyncio.Event()
    tries: list[int] = []

    async def first_is_slow(event: Envelope) -> str:
        if event.data["note"] != "first":
            return "ok"
        tries.append(1)
        if len(tries) == 1:
            await others_done.wait()
            raise RuntimeError("the model timed out")
        return "ok at last"

    name = "groups.slowfirst"
    await burst(channel, name, [first, *rest])
    consumer = preparing(engine, amqp_url, name, first_is_slow)
    try:
        await eventually(lambda: _all_done(engine, rest))
        others_done.set()
        await eventually(lambda: _all_done(engine, [first]))
    finally:
        await consumer.stop()
    assert len(tries) == 2  # redelivered after its failed prepare, not acked with the group
    assert set((await effects(engine, [first, *rest])).values()) == {1}
