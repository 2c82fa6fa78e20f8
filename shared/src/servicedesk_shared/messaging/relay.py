"""The outbox relay: publishes what producers committed, at least once, oldest first.

Each producing service runs one relay per replica. A batch is claimed with
`FOR UPDATE SKIP LOCKED`, so replicas never publish the same rows at once; every message
is published persistent and `mandatory` on a confirming channel, the confirms awaited
together (pipelined), and only then does the transaction that marks them published
commit (claim and mark are one statement, `UPDATE … WHERE id IN (SELECT … FOR UPDATE
SKIP LOCKED) RETURNING`: the mark is only seen once the confirms are in). A failure
rolls the batch back: it is published again later (consumers are idempotent on the
event id).

The relay wakes when a commit of its own process wrote an outbox row (`poke`, called by
`servicedesk_shared.messaging.outbox` after such a commit). A writer outside the
services (a script that sets `published_at` back to NULL to publish rows again, a
benchmark) wakes every relay with `WAKE_SQL` (`NOTIFY`) in its transaction; and each relay
polls every `poll_interval` as a fallback (a wake lost in a crash), so a commit reaches the
broker within milliseconds and nothing waits for a restart. After a wake-up it waits
`gather` seconds (a few ms) so that the commits of a burst go out as one batch, not one
claim each; the outbox lag (a gauge) is measured once per `poll_interval`, not per batch.

The services' own writes send no NOTIFY. Until migrations 0005 (auth), 0010 (tickets) and
0002 (ai-assist) a trigger sent one with every outbox insert (`notify_trigger_sql`, which
the first migrations still run); but a transaction that sends a NOTIFY takes a lock shared
by the whole PostgreSQL cluster at its commit and holds it through its WAL flush, so every
write with an event committed one at a time, on every replica of every service (measured:
a fifth of PostgreSQL's busy time on creates was waiting for it; `docs/performance.md`).
"""

from __future__ import annotations

import asyncio
import contextlib
import logging
import time
from dataclasses import dataclass, field
from typing import Any

import aio_pika
import asyncpg
import orjson
from aio_pika.abc import AbstractExchange, AbstractRobustConnection
from sqlalchemy import text
from sqlalchemy.engine import make_url
from sqlalchemy.ext.asyncio import AsyncEngine

from servicedesk_shared import backoff, failpoints
from servicedesk_shared.messaging import metrics
from servicedesk_shared.messaging.topology import declare_events_exchange

log = logging.getLogger(__name__)
CHANNEL = "servicedesk_outbox"
# For a writer outside the services, in the transaction that wrote the rows.
WAKE_SQL = f"SELECT pg_notify('{CHANNEL}', '')"

# Claimed and marked in one statement; the mark commits only after every confirm.
CLAIM = text(
    "UPDATE outbox SET published_at = now() WHERE id IN ("
    "SELECT id FROM outbox WHERE published_at IS NULL "
    "ORDER BY occurred_at, id LIMIT :limit FOR UPDATE SKIP LOCKED) "
    "RETURNING id, type, payload, occurred_at"
)
LAG = text(
    "SELECT count(*), coalesce(extract(epoch FROM now() - min(occurred_at)), 0) "
    "FROM outbox WHERE published_at IS NULL"
)


def notify_trigger_sql(table: str = "outbox") -> list[str]:
    """The NOTIFY trigger the first migrations created (kept so they still run)."""
    return [
        f"""CREATE OR REPLACE FUNCTION {table}_notify() RETURNS trigger AS $$
            BEGIN PERFORM pg_notify('{CHANNEL}', ''); RETURN NULL; END $$ LANGUAGE plpgsql""",
        f"""CREATE TRIGGER {table}_notify AFTER INSERT ON {table}
            FOR EACH STATEMENT EXECUTE FUNCTION {table}_notify()""",
    ]


def drop_notify_trigger_sql(table: str = "outbox") -> list[str]:
    """Statements for a migration: drop what `notify_trigger_sql` created."""
    return [
        f"DROP TRIGGER IF EXISTS {table}_notify ON {table}",
        f"DROP FUNCTION IF EXISTS {table}_notify()",
    ]


_running: set[OutboxRelay] = set()


def poke() -> None:
    """Wake this process's relays: a commit just wrote outbox rows."""
    for relay in _running:
        relay.poke()


def to_message(payload: dict[str, Any]) -> aio_pika.Message:
    return aio_pika.Message(
        orjson.dumps(payload),
        content_type="application/json",
        delivery_mode=aio_pika.DeliveryMode.PERSISTENT,
        message_id=str(payload["id"]),
        type=payload["type"],
        correlation_id=payload.get("correlation_id"),
        headers={"version": payload.get("version", 1), "producer": payload.get("producer")},
    )


@dataclass(eq=False, repr=False, kw_only=True)
class OutboxRelay:
    engine: AsyncEngine
    amqp_url: str
    producer: str
    batch_size: int = 200
    poll_interval: float = 1.0
    publish_timeout: float = 10.0
    gather: float = 0.003
    _measured: float = field(default=0.0, init=False)
    _wake: asyncio.Event = field(default_factory=asyncio.Event, init=False)
    _connection: AbstractRobustConnection | None = field(default=None, init=False)
    _exchange: AbstractExchange | None = field(default=None, init=False)
    _tasks: list[asyncio.Task] = field(default_factory=list, init=False)
    _stopping: bool = field(default=False, init=False)

    def start(self) -> None:
        """Run in the background; never blocks start-up (RabbitMQ may be down)."""
        self._tasks = [
            asyncio.create_task(self._run(), name=f"relay-{self.producer}"),
            asyncio.create_task(self._listen(), name=f"relay-listen-{self.producer}"),
        ]
        _running.add(self)

    def poke(self) -> None:
        self._wake.set()

    async def stop(self, grace: float = 10.0) -> None:
        """Finish the batch in flight (so it is marked published), then stop."""
        self._stopping = True
        _running.discard(self)
        self.poke()
        if self._tasks:
            _, pending = await asyncio.wait(self._tasks[:1], timeout=grace)
            for task in [*pending, *self._tasks[1:]]:
                task.cancel()
            for task in self._tasks:
                with contextlib.suppress(asyncio.CancelledError):
                    await task
        if self._connection is not None:
            await self._connection.close()

    async def _exchange_ready(self) -> AbstractExchange:
        if self._exchange is None:
            connection = await aio_pika.connect_robust(self.amqp_url, timeout=5)
            try:
                channel = await connection.channel(publisher_confirms=True, on_return_raises=True)
                self._exchange = await declare_events_exchange(channel)
            except BaseException:
                await connection.close()
                raise
            self._connection = connection
        return self._exchange

    async def publish_batch(self) -> int:
        """Publish one batch of unpublished rows; the number published."""
        exchange = await self._exchange_ready()
        async with self.engine.begin() as conn:
            claimed = (await conn.execute(CLAIM, {"limit": self.batch_size})).all()
            if not claimed:
                return 0
            rows = sorted(claimed, key=lambda row: (row.occurred_at, row.id))  # oldest first
            await asyncio.gather(
                *(
                    exchange.publish(
                        to_message(row.payload),
                        routing_key=row.type,
                        mandatory=True,
                        timeout=self.publish_timeout,
                    )
                    for row in rows
                )
            )
            failpoints.crash_at("relay.after_publish")  # the fault suite's crash point
        for row in rows:
            metrics.PUBLISHED.labels(self.producer, row.type).inc()
        return len(rows)

    async def measure_lag(self) -> tuple[int, float]:
        async with self.engine.connect() as conn:
            pending, lag = (await conn.execute(LAG)).one()
        metrics.OUTBOX_PENDING.labels(self.producer).set(pending)
        metrics.OUTBOX_LAG.labels(self.producer).set(float(lag))
        return int(pending), float(lag)

    async def _run(self) -> None:
        failures = 0
        while not self._stopping:
            try:
                while await self.publish_batch() == self.batch_size:
                    pass
                if time.monotonic() - self._measured >= self.poll_interval:
                    await self.measure_lag()
                    self._measured = time.monotonic()
                failures = 0
            except asyncio.CancelledError:
                raise
            except Exception as exc:
                failures += 1
                metrics.PUBLISH_FAILURES.labels(self.producer).inc()
                log.warning(
                    "outbox relay: publish failed (%s: %s); retrying", type(exc).__name__, exc
                )
                await asyncio.sleep(backoff.delay(failures, base=0.2, cap=5.0))
                continue
            await self._wait()

    async def _wait(self) -> None:
        """Until a poke or a NOTIFY (or the poll interval), then `gather` more for the
        burst's others."""
        with contextlib.suppress(TimeoutError):
            await asyncio.wait_for(self._wake.wait(), self.poll_interval)
        if self.gather > 0 and not self._stopping:
            await asyncio.sleep(self.gather)
        self._wake.clear()

    async def _listen(self) -> None:
        """Hold a LISTEN connection for `WAKE_SQL`; reconnect if it drops. Polling covers
        the gaps."""
        url = make_url(self.engine.url).set(drivername="postgresql")
        dsn = url.render_as_string(hide_password=False)
        while True:
            try:
                conn = await asyncpg.connect(dsn, timeout=5)
                lost = asyncio.Event()
                try:
                    conn.add_termination_listener(lambda *_, lost=lost: lost.set())
                    await conn.add_listener(CHANNEL, lambda *_: self.poke())
                    await lost.wait()
                finally:
                    await conn.close()
            except asyncio.CancelledError:
                raise
            except Exception as exc:
                log.debug("outbox relay: LISTEN connection lost (%s)", exc)
                await asyncio.sleep(1)
