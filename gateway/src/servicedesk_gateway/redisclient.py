"""A small pipelined Redis client for the one command on the hot path (EVALSHA).

Why not redis-py: its asyncio client costs ~150 µs of Python per command and takes a pooled
connection per concurrent request; at the gateway's target load that alone was a third of a
CPU core (measured with py-spy, see README "Performance"). This client keeps a couple of
connections and pipelines every request over them — replies arrive in order (RESP
guarantees it, https://redis.io/docs/latest/develop/reference/protocol-spec/), so each
connection is a FIFO of futures — and parses with hiredis (C). redis-py stays for
everything off the hot path (readiness, tests).

Failure model: any connection error or a reply older than `timeout` drops that connection
and fails every request waiting on it with `RedisUnavailable`; the next call reconnects.
"""

from __future__ import annotations

import asyncio
import itertools
import ssl
import time
from collections import deque
from urllib.parse import unquote, urlsplit

import hiredis


class RedisUnavailable(Exception):
    """Redis could not answer (refused, reset, timed out)."""


class ReplyError(Exception):
    """Redis answered with an error (e.g. NOSCRIPT)."""


class _Connection(asyncio.Protocol):
    def __init__(self, timeout: float) -> None:
        self.timeout = timeout
        self.reader = hiredis.Reader()
        self.pending: deque[tuple[asyncio.Future, float]] = deque()
        self.transport: asyncio.Transport | None = None
        self.alive = False
        self._watchdog: asyncio.TimerHandle | None = None
        self._outbox: list[bytes] = []

    def connection_made(self, transport) -> None:
        self.transport = transport
        self.alive = True
        self._schedule_watchdog()

    def call(self, packed: bytes) -> asyncio.Future:
        if not self.alive:
            raise RedisUnavailable("connection closed")
        loop = asyncio.get_running_loop()
        future = loop.create_future()
        self.pending.append((future, time.monotonic() + self.timeout))
        # Commands issued in the same event-loop turn leave in one write: one syscall for
        # many requests under load, and no added latency (the flush runs this very turn).
        if not self._outbox:
            loop.call_soon(self._flush)
        self._outbox.append(packed)
        return future

    def _flush(self) -> None:
        data, self._outbox = b"".join(self._outbox), []
        if self.alive and self.transport is not None:
            self.transport.write(data)

    def data_received(self, data: bytes) -> None:
        self.reader.feed(data)
        try:
            while (reply := self.reader.gets()) is not False:
                future, _ = self.pending.popleft()
                if future.done():
                    continue
                if isinstance(reply, hiredis.ReplyError):
                    future.set_exception(ReplyError(str(reply)))
                else:
                    future.set_result(reply)
        except (hiredis.ProtocolError, IndexError):
            self._abort("protocol error")

    def connection_lost(self, exc: Exception | None) -> None:
        self.alive = False
        if self._watchdog is not None:
            self._watchdog.cancel()
        while self.pending:
            future, _ = self.pending.popleft()
            if not future.done():
                future.set_exception(RedisUnavailable(f"connection lost: {exc!r}"))

    def _schedule_watchdog(self) -> None:
        loop = asyncio.get_running_loop()
        self._watchdog = loop.call_later(min(self.timeout / 4, 0.25), self._check_deadline)

    def _check_deadline(self) -> None:
        if self.pending and self.pending[0][1] < time.monotonic():
            self._abort("reply timed out")
        elif self.alive:
            self._schedule_watchdog()

    def _abort(self, reason: str) -> None:
        self.alive = False
        if self.transport is not None:
            self.transport.abort()  # connection_lost fails the waiting futures


class PipelinedRedis:
    """`await client.execute("EVALSHA", ...)` over `connections` pipelined connections."""

    def __init__(self, url: str, *, timeout: float = 1.0, connections: int = 2) -> None:
        parts = urlsplit(url)
        self.host = parts.hostname or "127.0.0.1"
        self.port = parts.port or 6379
        self.ssl = ssl.create_default_context() if parts.scheme == "rediss" else None
        self.username = unquote(parts.username) if parts.username else None
        self.password = unquote(parts.password) if parts.password else None
        self.db = int(parts.path.lstrip("/") or 0)
        self.timeout = timeout
        self._slots: list[_Connection | None] = [None] * connections
        self._locks = [asyncio.Lock() for _ in range(connections)]
        self._next = itertools.cycle(range(connections))

    async def execute(self, *args) -> object:
        index = next(self._next)
        conn = self._slots[index]
        if conn is None or not conn.alive:
            conn = await self._reconnect(index)
        return await conn.call(hiredis.pack_command(args))

    async def _reconnect(self, index: int) -> _Connection:
        async with self._locks[index]:
            conn = self._slots[index]
            if conn is not None and conn.alive:
                return conn
            conn = await self._connect()
            self._slots[index] = conn
            return conn

    async def _connect(self) -> _Connection:
        loop = asyncio.get_running_loop()
        try:
            _, conn = await asyncio.wait_for(
                loop.create_connection(
                    lambda: _Connection(self.timeout), self.host, self.port, ssl=self.ssl
                ),
                self.timeout,
            )
        except (OSError, TimeoutError) as exc:
            raise RedisUnavailable(f"cannot connect: {exc!r}") from None
        try:
            await self._handshake(conn)
        except ReplyError as exc:
            conn._abort("handshake refused")
            raise RedisUnavailable(f"AUTH/SELECT refused: {exc}") from None
        return conn

    async def _handshake(self, conn: _Connection) -> None:
        commands = []
        if self.password is not None:
            auth = [self.username, self.password] if self.username else [self.password]
            commands.append(("AUTH", *auth))
        if self.db:
            commands.append(("SELECT", self.db))
        for command in commands:
            await conn.call(hiredis.pack_command(command))

    async def close(self) -> None:
        for conn in self._slots:
            if conn is not None and conn.transport is not None:
                conn.transport.close()
        self._slots = [None] * len(self._slots)
