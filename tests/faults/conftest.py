"""The fault suite's stack: two processes of every service behind one gateway
(`DESK_REPLICAS=2`, as `make run` starts them), on throw-away databases, a RabbitMQ vhost
and a Redis key prefix of its own, with a third party's durable queue bound to every event.

The suite owns the machine's PostgreSQL, Redis and RabbitMQ while it runs (it stops,
kills and restarts them); each test leaves them running whatever happens (`servers`).
The processes are held here (`devstack.Stack`), not behind `devstack run`, so that a test
can kill, stop and start one replica by name.
"""

from __future__ import annotations

import asyncio
import threading
from collections.abc import AsyncIterator, Iterator
from dataclasses import dataclass, field

import aio_pika
import httpx
import orjson
import pytest

from servicedesk_devtools import devstack
from servicedesk_shared.messaging.envelope import Envelope
from servicedesk_shared.messaging.topology import declare_events_exchange

from ..conftest import (
    ADMIN,
    AI_API_KEY,
    LOG_DIR,
    Ollama,
    _drop_databases,
    free_port,
    login,
    next_ip,
    own_vhost,
    register_and_login,
    stack_env,
    wait_http,
)
from . import servers

REPLICAS = 2
THIRD_PARTY_QUEUE = "third-party-ledger"


def free_replica_port() -> int:
    """A free port whose replica ports (+100, +200…) are free too."""
    while True:
        port = free_port()
        step = devstack.REPLICA_PORT_STEP
        if port + step * REPLICAS < 65536 and not any(
            servers.listening(port + step * k) for k in range(1, REPLICAS)
        ):
            return port


def fault_env(vhost: str, ollama: Ollama) -> dict[str, str]:
    env = stack_env()
    for service in devstack.SERVICES:
        if service.name != "gateway":
            env[service.port_var] = str(free_replica_port())
    env.update(
        DESK_REPLICAS=str(REPLICAS),
        AMQP_URL=f"amqp://guest:guest@127.0.0.1:5672/{vhost}",
        OLLAMA_URL=ollama.url,
        AI_ASSIST_API_KEYS=AI_API_KEY,
        AI_ASSIST_TIMEOUT="2",
        AI_ASSIST_BREAKER_RESET="1",
        # The ledger's load is a few users working fast; the limits are not under test here.
        RATE_LIMIT_USER="1000000/hour",
        RATE_LIMIT_ADMIN="1000000/hour",
    )
    # 8 processes x at most 2 x 4 connections, beside the session's stack (tests/conftest.py)
    for prefix in ("AUTH", "TICKETS", "NOTIFICATIONS", "AI_ASSIST"):
        env[f"{prefix}_DB_POOL_SIZE"] = "4"
    return env


@dataclass
class Desk:
    """The running two-replica stack, and what the ledger reads besides HTTP."""

    env: dict[str, str]
    stack: devstack.Stack
    events: list[Envelope] = field(default_factory=list)

    @property
    def gateway(self) -> str:
        return f"http://127.0.0.1:{self.env['GATEWAY_PORT']}"

    def url(self, replica: str) -> str:
        """Base URL of one replica: `tickets`, `tickets-2`…"""
        return f"http://127.0.0.1:{self.stack.replicas[replica].port}"

    def replica_names(self, service: str) -> list[str]:
        return [n for n, r in self.stack.replicas.items() if r.service.name == service]

    def database(self, service: str) -> str:
        """A plain asyncpg DSN of a service's database."""
        var = next(s.db_var for s in devstack.SERVICES if s.name == service)
        return self.env[var].replace("postgresql+asyncpg://", "postgresql://")

    def kill(self, replica: str, sig: int) -> int:
        proc = self.stack.procs[replica]
        proc.send_signal(sig)
        return proc.wait(60)

    def restart(self, replica: str, **extra_env: str) -> None:
        """Start a replica that exited again (optionally with failpoints armed)."""
        self.stack.spawn(replica, **extra_env)
        if not extra_env:
            self.stack.wait_ready(replica, timeout=60)

    async def collect_events(self) -> list[Envelope]:
        """Drain the third party's durable queue into `events` (all deliveries, duplicates
        kept)."""
        self.events += await drain_queue(self.env["AMQP_URL"], THIRD_PARTY_QUEUE)
        return self.events


async def bind_queue(amqp_url: str, queue: str, routing_key: str = "#") -> None:
    """A durable queue of a third party's, bound to the events exchange."""
    connection = await aio_pika.connect(amqp_url, timeout=10)
    try:
        channel = await connection.channel()
        exchange = await declare_events_exchange(channel)
        declared = await channel.declare_queue(queue, durable=True)
        await declared.bind(exchange, routing_key=routing_key)
    finally:
        await connection.close()


async def drain_queue(amqp_url: str, queue: str) -> list[Envelope]:
    """Every delivery waiting in `queue`, acked; a fresh connection each time, so a broker
    restart in between is harmless."""
    connection = await aio_pika.connect(amqp_url, timeout=10)
    drained: list[Envelope] = []
    try:
        channel = await connection.channel()
        declared = await channel.declare_queue(queue, durable=True)
        while (message := await declared.get(fail=False)) is not None:
            drained.append(Envelope.model_validate(orjson.loads(message.body)))
            await message.ack()
    finally:
        await connection.close()
    return drained


def _in_thread(func, *args) -> None:
    """Run `func` (which uses asyncio.run) away from the test session's event loop."""
    errors: list[BaseException] = []

    def target() -> None:
        try:
            func(*args)
        except BaseException as exc:  # re-raised in the caller's thread
            errors.append(exc)

    worker = threading.Thread(target=target)
    worker.start()
    worker.join()
    if errors:
        raise errors[0]


@pytest.fixture(scope="package")
def desk(ollama: Ollama) -> Iterator[Desk]:
    servers.ensure_up()
    with own_vhost("desk_faults") as vhost:
        env = fault_env(vhost, ollama)
        _in_thread(devstack.prepare, env)
        _in_thread(asyncio.run, bind_queue(env["AMQP_URL"], THIRD_PARTY_QUEUE))
        stack = devstack.Stack(env, log_dir=LOG_DIR / "faults")
        try:
            stack.start()
            wait_http(f"http://127.0.0.1:{env['GATEWAY_PORT']}/readyz", timeout=90)
            yield Desk(env, stack)
        finally:
            stack.stop()
            servers.ensure_up()
            _drop_databases(env)


@dataclass
class People:
    """Who works during a scenario: requesters filing, the admin commenting and moving."""

    admin: dict
    requesters: list[dict]


@pytest.fixture(scope="package")
async def people(desk: Desk) -> People:
    async with httpx.AsyncClient(base_url=desk.gateway, timeout=30) as client:
        client.headers["X-Forwarded-For"] = next_ip()
        admin = await login(client, ADMIN["username"], ADMIN["password"])
        requesters = []
        for _ in range(3):
            client.headers["X-Forwarded-For"] = next_ip()
            _, user, tokens = await register_and_login(client, "faulty")
            requesters.append({**tokens, "user_id": user["id"]})
    return People(admin, requesters)


@pytest.fixture
async def gateway(desk: Desk) -> AsyncIterator[httpx.AsyncClient]:
    async with httpx.AsyncClient(
        base_url=desk.gateway, timeout=30, headers={"X-Forwarded-For": next_ip()}
    ) as client:
        yield client
