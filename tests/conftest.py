"""End-to-end fixtures: the real processes, started the way `make run` starts them.

One stack per test session: `python -m servicedesk_devtools.devstack run` with throw-away
databases, a unique Redis key prefix, free ports and a bootstrap superuser. Every test
talks to the gateway over real HTTP. The gateway trusts 127.0.0.1 as a proxy here, so a
test can act as a distinct client IP by sending `X-Forwarded-For` (`client` fixture).
"""

from __future__ import annotations

import asyncio
import itertools
import os
import secrets
import signal
import socket
import subprocess
import sys
import threading
import urllib.request
from collections.abc import AsyncIterator, Iterator
from contextlib import contextmanager
from dataclasses import dataclass
from pathlib import Path

import asyncpg
import httpx
import pytest

from servicedesk_devtools import devstack
from servicedesk_devtools.testing import PG_BASE, delete_redis_prefix, eventually_sync, unique

ROOT = Path(__file__).resolve().parents[1]
LOG_DIR = ROOT / ".devstack" / "e2e-logs"
ADMIN = {"username": "root-admin", "email": "root@example.com", "password": "correct horse e2e"}
AI_API_KEY = "e2e-refresh-key-" + "r" * 24
# AUTH_API_KEYS: what the people backfill presents to auth's GET /internal/users.
AUTH_API_KEY = "e2e-auth-directory-key-" + "d" * 24
_ips = itertools.count(1)


def pytest_collection_modifyitems(items: list[pytest.Item]) -> None:
    """The fault suite (tests/faults) last: it restarts the machine's PostgreSQL, Redis and
    RabbitMQ, and the tests after it would meet connections cut under them."""
    items.sort(key=lambda item: "faults" in item.path.parts)


def free_port() -> int:
    with socket.socket() as sock:
        sock.bind(("127.0.0.1", 0))
        return sock.getsockname()[1]


def wait_http(url: str, timeout: float = 40, proc: subprocess.Popen | None = None) -> None:
    def answering() -> bool:
        if proc is not None and proc.poll() is not None:
            raise RuntimeError(f"process exited with {proc.returncode} before {url} answered")
        try:
            with urllib.request.urlopen(url, timeout=1) as resp:  # noqa: S310
                return resp.status == 200
        except OSError:
            return False

    try:
        eventually_sync(answering, timeout=timeout, every=0.2)
    except TimeoutError:
        raise RuntimeError(f"{url} did not answer within {timeout}s") from None


@dataclass
class RunningStack:
    env: dict[str, str]
    proc: subprocess.Popen

    @property
    def gateway(self) -> str:
        return f"http://127.0.0.1:{self.env['GATEWAY_PORT']}"

    def service(self, name: str) -> str:
        svc = next(s for s in devstack.SERVICES if s.name == name)
        return f"http://127.0.0.1:{self.env[svc.port_var]}"


def stack_env() -> dict[str, str]:
    env = dict(os.environ)
    for service in devstack.SERVICES:
        env[service.port_var] = str(free_port())
        if service.db_var:
            env[service.db_var] = f"{PG_BASE}/{unique(service.db_name + '_e2e')}"
    env.update(
        DESK_ENV="test",
        REDIS_KEY_PREFIX=unique("e2e") + ":",
        JWT_SECRET_KEYS="e2e-2:" + "k" * 64 + ",e2e-1:" + "j" * 64,
        AUTH_TOTP_ENCRYPTION_KEYS="e2e-totp:" + "t" * 64,
        AUTH_API_KEYS=AUTH_API_KEY,
        TICKETS_API_KEYS="e2e-tickets-refresh-key-" + "t" * 24,  # scripts/refresh.py presents it
        DESK_ADMIN_USERNAME=ADMIN["username"],
        DESK_ADMIN_EMAIL=ADMIN["email"],
        DESK_ADMIN_PASSWORD=ADMIN["password"],
        TRUSTED_PROXIES="127.0.0.1",
        GATEWAY_METRICS_PORT=str(free_port()),
        LOG_LEVEL="INFO",
    )
    # PostgreSQL's 100 connections are shared by every stack alive at once (this one stays
    # up for the whole session, beside the fault suite's eight processes at the end): each
    # pool keeps what it opened, so each stays small (at most 2 x 5 per process).
    for prefix in ("AUTH", "TICKETS", "NOTIFICATIONS", "AI_ASSIST"):
        env[f"{prefix}_DB_POOL_SIZE"] = "5"
    return env


def rabbitmqctl(*args: str) -> None:
    subprocess.run(["rabbitmqctl", "-q", *args], check=True, capture_output=True, timeout=60)


@contextmanager
def own_vhost(prefix: str = "desk_e2e") -> Iterator[str]:
    """A RabbitMQ vhost of its own: its events reach no other stack's queues."""
    vhost = unique(prefix)
    rabbitmqctl("add_vhost", vhost)
    rabbitmqctl("set_permissions", "-p", vhost, "guest", ".*", ".*", ".*")
    try:
        yield vhost
    finally:
        rabbitmqctl("delete_vhost", vhost)


@pytest.fixture(scope="session")
def amqp_vhost() -> Iterator[str]:
    with own_vhost() as vhost:
        yield vhost


@dataclass
class Ollama:
    """The stand-in Ollama (tests/ollama_standin.py) in a process of its own."""

    url: str

    def mode(self, **mode: object) -> None:
        """Switch a fault on (`delay`, `status`, `reply`, `times`); `mode()` heals it."""
        httpx.post(f"{self.url}/_standin/mode", json=mode, timeout=5).raise_for_status()

    def calls(self) -> int:
        return httpx.get(f"{self.url}/_standin/requests", timeout=5).json()["calls"]


@pytest.fixture(scope="session")
def ollama() -> Iterator[Ollama]:
    port = free_port()
    proc = subprocess.Popen(
        [sys.executable, str(ROOT / "tests" / "ollama_standin.py"), "--port", str(port)],
        stdout=subprocess.DEVNULL,
    )
    try:
        wait_http(f"http://127.0.0.1:{port}/api/version", timeout=20, proc=proc)
        yield Ollama(f"http://127.0.0.1:{port}")
    finally:
        proc.terminate()
        proc.wait(10)


@pytest.fixture(scope="session")
def stack(amqp_vhost: str, ollama: Ollama) -> Iterator[RunningStack]:
    with running_stack(amqp_vhost, ollama) as running:
        yield running


@contextmanager
def running_stack(
    vhost: str, ollama: Ollama, name: str = "devstack", **extra_env: str
) -> Iterator[RunningStack]:
    """Every real process (`devstack run`) on throw-away databases; stopped and dropped after."""
    env = stack_env()
    env["AMQP_URL"] = f"amqp://guest:guest@127.0.0.1:5672/{vhost}"
    env.update(
        OLLAMA_URL=ollama.url,
        AI_ASSIST_API_KEYS=AI_API_KEY,
        AI_ASSIST_TIMEOUT="2",
        AI_ASSIST_BREAKER_RESET="1",
    )
    env.update(extra_env)
    LOG_DIR.mkdir(parents=True, exist_ok=True)
    log = open(LOG_DIR / f"{name}.log", "wb")  # noqa: SIM115
    proc = subprocess.Popen(
        [sys.executable, "-m", "servicedesk_devtools.devstack", "run"],
        env=env,
        stdout=log,
        stderr=subprocess.STDOUT,
        cwd=ROOT,
    )
    running = RunningStack(env, proc)
    try:
        wait_http(f"{running.gateway}/readyz", timeout=90, proc=proc)
        yield running
    finally:
        if proc.poll() is None:
            proc.send_signal(signal.SIGTERM)
        exit_code = proc.wait(30)
        log.close()
        _drop_databases(env)
    # `make run` stops every service cleanly on SIGTERM and exits 0.
    assert exit_code == 0, f"devstack exited with {exit_code}; see {LOG_DIR}"


def _drop_databases(env: dict[str, str]) -> None:
    import asyncio

    from servicedesk_shared.db import drop_database

    async def drop_all() -> None:
        for service in devstack.SERVICES:
            if service.db_var:
                await drop_database(env[service.db_var])
        await delete_redis_prefix(env["REDIS_KEY_PREFIX"])

    # In a thread of its own: asyncio.run must not touch the test session's event loop.
    worker = threading.Thread(target=asyncio.run, args=(drop_all(),))
    worker.start()
    worker.join()


async def events_drained(stack: RunningStack, queue: str = "notifications") -> bool:
    """Nothing more is on its way to `queue`'s consumers: no outbox row of tickets is left
    unpublished (the relay marks a row only once the broker confirmed it: it is in the
    queue, and a row marked is never sent again), and after that the queue holds nothing
    ready or unacknowledged (a consumer acks after its commit). Unlike "the event sent
    last has arrived" this holds with several consumers, retries and redeliveries."""
    dsn = stack.env["TICKETS_DATABASE_URL"].replace("postgresql+asyncpg://", "postgresql://")
    conn = await asyncpg.connect(dsn)
    try:
        unpublished = await conn.fetchval("SELECT count(*) FROM outbox WHERE published_at IS NULL")
    finally:
        await conn.close()
    if unpublished:
        return False
    vhost = stack.env["AMQP_URL"].rsplit("/", 1)[1]
    command = ["rabbitmqctl", "-q", "list_queues", "-p", vhost, "name", "messages"]
    listed = await asyncio.to_thread(
        subprocess.run,
        [*command, "--no-table-headers"],
        check=True,
        capture_output=True,
        text=True,
        timeout=60,
    )
    counts = dict(line.split("\t") for line in listed.stdout.splitlines() if "\t" in line)
    return counts.get(queue) == "0"


def next_ip() -> str:
    n = next(_ips) + os.getpid() % 200 * 256
    return f"198.18.{n // 256 % 256}.{n % 256}"


@pytest.fixture
async def client(stack: RunningStack) -> AsyncIterator[httpx.AsyncClient]:
    """A client at the gateway that looks like its own fresh IP address."""
    headers = {"X-Forwarded-For": next_ip()}
    async with httpx.AsyncClient(base_url=stack.gateway, headers=headers, timeout=20) as c:
        yield c


def new_user_payload(prefix: str = "user") -> dict[str, str]:
    name = unique(prefix)
    password = "Lantern " + secrets.token_urlsafe(12)
    return {"username": name, "email": f"{name}@example.com", "password": password}


async def register_and_login(client: httpx.AsyncClient, prefix: str = "user"):
    payload = new_user_payload(prefix)
    resp = await client.post("/api/auth/register", json=payload)
    assert resp.status_code == 201, resp.text
    tokens = await login(client, payload["username"], payload["password"])
    return payload, resp.json(), tokens


async def login(client: httpx.AsyncClient, username: str, password: str, **extra) -> dict:
    resp = await client.post(
        "/api/token", json={"username": username, "password": password, **extra}
    )
    assert resp.status_code == 200, resp.text
    return resp.json()


def bearer(tokens: dict) -> dict[str, str]:
    return {"Authorization": f"Bearer {tokens['access']}"}
