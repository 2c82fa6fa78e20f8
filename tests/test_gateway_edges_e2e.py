"""Gateway edges that need their own process: no trusted proxy, and Redis going away."""

from __future__ import annotations

import socket
import subprocess
import sys
import tempfile
from collections.abc import Iterator

import httpx
import pytest

from servicedesk_devtools.testing import eventually_sync

from .conftest import ADMIN, LOG_DIR, RunningStack, bearer, free_port, next_ip, wait_http
from .conftest import login as login_via

pytestmark = pytest.mark.e2e


def spawn_gateway(stack: RunningStack, name: str, **env: str) -> subprocess.Popen:
    full_env = {
        **stack.env,
        "GATEWAY_PORT": str(free_port()),
        "GATEWAY_METRICS_PORT": str(free_port()),
        **env,
    }
    log = open(LOG_DIR / f"{name}.log", "wb")  # noqa: SIM115
    proc = subprocess.Popen(
        [sys.executable, "-m", "servicedesk_gateway"],
        env=full_env,
        stdout=log,
        stderr=subprocess.STDOUT,
    )
    proc.port = int(full_env["GATEWAY_PORT"])
    wait_http(f"http://127.0.0.1:{proc.port}/healthz", proc=proc)
    return proc


def stop(proc: subprocess.Popen) -> None:
    proc.terminate()
    proc.wait(15)


@pytest.fixture(scope="module")
def untrusting_gateway(stack: RunningStack) -> Iterator[str]:
    proc = spawn_gateway(stack, "gateway-untrusting", TRUSTED_PROXIES="")
    yield f"http://127.0.0.1:{proc.port}"
    stop(proc)


@pytest.fixture
def private_redis() -> Iterator[subprocess.Popen]:
    port = free_port()
    workdir = tempfile.mkdtemp(prefix="redis-e2e-")
    proc = subprocess.Popen(
        [
            "redis-server",
            "--port",
            str(port),
            "--bind",
            "127.0.0.1",
            "--save",
            "",
            "--appendonly",
            "no",
            "--dir",
            workdir,
        ],
        stdout=subprocess.DEVNULL,
        stderr=subprocess.DEVNULL,
    )
    proc.port = port

    def listening() -> bool:
        with socket.socket() as sock:
            return sock.connect_ex(("127.0.0.1", port)) == 0

    eventually_sync(listening)
    yield proc
    if proc.poll() is None:
        proc.kill()
        proc.wait()


async def test_a_spoofed_forwarded_for_does_not_escape_the_login_limit(untrusting_gateway):
    body = {"username": "nobody-spoof", "password": "whatever-it-is"}
    async with httpx.AsyncClient(base_url=untrusting_gateway) as client:
        statuses = []
        for n in range(6):
            resp = await client.post(
                "/api/token", json=body, headers={"X-Forwarded-For": f"203.0.113.{n + 1}"}
            )
            statuses.append(resp.status_code)
    assert statuses == [401] * 5 + [429]


async def test_with_redis_down_logins_and_tokens_fail_closed(stack, private_redis):
    redis_url = f"redis://127.0.0.1:{private_redis.port}/0"
    proc = spawn_gateway(stack, "gateway-redis-down", REDIS_URL=redis_url)
    try:
        base = f"http://127.0.0.1:{proc.port}"
        async with httpx.AsyncClient(base_url=base, timeout=20) as client:
            private_redis.kill()
            private_redis.wait()
            creds = {"username": ADMIN["username"], "password": ADMIN["password"]}
            login = await client.post("/api/token", json=creds)
            assert login.status_code == 503
            assert login.json()["code"]
            async with httpx.AsyncClient(
                base_url=stack.gateway, headers={"X-Forwarded-For": next_ip()}
            ) as main:
                tokens = await login_via(main, ADMIN["username"], ADMIN["password"])
            # A valid token cannot be checked against the deny-list: refuse, never trust.
            bearing = await client.get("/api/users/me", headers=bearer(tokens))
            assert bearing.status_code == 503
            # An anonymous request still gets its answer from the service.
            anonymous = await client.get("/api/users/me")
            assert anonymous.status_code == 401
            assert (await client.get("/healthz")).status_code == 200
    finally:
        stop(proc)
