"""A Redis restart costs no request: a pooled connection Redis closed is replaced, once."""

from __future__ import annotations

import asyncio
import shlex
import socket
import subprocess
from collections.abc import Iterator

import pytest
import redis.asyncio.connection as redis_connection
from redis.exceptions import ConnectionError as RedisConnectionError
from redis.exceptions import TimeoutError as RedisTimeoutError

from servicedesk_devtools.testing import REDIS_URL, eventually_sync
from servicedesk_shared.redis import create_redis


def _free_port() -> int:
    with socket.socket() as sock:
        sock.bind(("127.0.0.1", 0))
        return sock.getsockname()[1]


class PrivateRedis:
    """A redis-server of this test's own, so stopping it disturbs nobody."""

    def __init__(self) -> None:
        self.port = _free_port()

    def start(self) -> None:
        command = f'redis-server --daemonize yes --port {self.port} --save "" --appendonly no'
        subprocess.run(shlex.split(command), check=True, capture_output=True)
        self._wait(up=True)

    def stop(self) -> None:
        subprocess.run(
            ["redis-cli", "-p", str(self.port), "shutdown", "nosave"], capture_output=True
        )
        self._wait(up=False)

    def _wait(self, up: bool) -> None:
        def listening() -> bool:
            with socket.socket() as sock:
                return sock.connect_ex(("127.0.0.1", self.port)) == 0

        eventually_sync(lambda: listening() == up, every=0.02)


@pytest.fixture
def private_redis() -> Iterator[PrivateRedis]:
    server = PrivateRedis()
    server.start()
    try:
        yield server
    finally:
        server.stop()


async def test_a_restart_in_between_costs_no_request(private_redis: PrivateRedis) -> None:
    client = create_redis(f"redis://127.0.0.1:{private_redis.port}/0")
    script = client.register_script("return 7")
    try:
        assert await script(keys=[], args=[]) == 7
        private_redis.stop()
        private_redis.start()  # empty, and the pooled connection is closed
        assert await script(keys=[], args=[]) == 7
    finally:
        await client.aclose()


async def test_while_redis_is_down_the_call_still_fails(private_redis: PrivateRedis) -> None:
    client = create_redis(f"redis://127.0.0.1:{private_redis.port}/0")
    try:
        assert await client.ping()
        private_redis.stop()
        with pytest.raises(RedisConnectionError):  # the retry is refused too: 503 upstream
            await client.ping()
    finally:
        private_redis.start()
        await client.aclose()


async def test_a_command_is_written_without_a_task_of_its_own(monkeypatch) -> None:
    """`asyncio.wait_for` (a task per write on Python 3.11) is never reached."""

    def no_wait_for(*args, **kwargs):
        raise AssertionError("wait_for called")

    monkeypatch.setattr(redis_connection.asyncio, "wait_for", no_wait_for)
    client = create_redis(REDIS_URL)
    try:
        assert await client.ping()
        assert await client.register_script("return 7")(keys=[], args=[]) == 7
    finally:
        await client.aclose()


async def test_a_write_that_hangs_times_out_and_drops_the_connection() -> None:
    client = create_redis(REDIS_URL)
    conn = await client.connection_pool.get_connection()
    try:
        await conn.connect()
        conn.socket_timeout = 0.05

        async def hanging() -> None:  # a full socket buffer: Redis not reading
            await asyncio.Event().wait()

        conn._writer.drain = hanging
        with pytest.raises(RedisTimeoutError):
            await conn.send_packed_command(b"PING\r\n", check_health=False)
        assert not conn.is_connected
        assert conn.socket_timeout == 0.05
    finally:
        await client.connection_pool.release(conn)
        await client.aclose()
