"""A tiny HTTP/1.1 server for webhook tests: records each request and answers with the
statuses a test scripted for that event id (`X-Webhook-Id`), 200 when none is left."""

from __future__ import annotations

import asyncio
from collections import defaultdict
from dataclasses import dataclass


@dataclass
class Request:
    method: str
    target: str
    headers: dict[str, str]
    body: bytes


class Receiver:
    def __init__(self) -> None:
        self.requests: list[Request] = []
        self.scripts: dict[str, list[tuple[int, str]]] = defaultdict(list)
        self.port = 0

    async def start(self) -> None:
        self.server = await asyncio.start_server(self._serve, "127.0.0.1", 0)
        self.port = self.server.sockets[0].getsockname()[1]

    async def stop(self) -> None:
        self.server.close()
        await self.server.wait_closed()

    def answer(self, event_id: str, status: int, extra_headers: str = "") -> None:
        """Queue one answer for the next request about `event_id`."""
        self.scripts[event_id].append((status, extra_headers))

    def about(self, event_id: str) -> list[Request]:
        return [r for r in self.requests if r.headers.get("x-webhook-id") == event_id]

    async def _serve(self, reader: asyncio.StreamReader, writer: asyncio.StreamWriter) -> None:
        try:
            head = (await reader.readuntil(b"\r\n\r\n")).decode("latin-1").split("\r\n")
            method, target, _ = head[0].split(" ", 2)
            pairs = (line.split(":", 1) for line in head[1:] if ":" in line)
            headers = {name.strip().lower(): value.strip() for name, value in pairs}
            body = await reader.readexactly(int(headers.get("content-length", "0")))
            self.requests.append(Request(method, target, headers, body))
            script = self.scripts.get(headers.get("x-webhook-id", ""))
            status, extra = script.pop(0) if script else (200, "")
            writer.write(
                f"HTTP/1.1 {status} Scripted\r\nContent-Length: 0\r\n"
                f"Connection: close\r\n{extra}\r\n".encode()
            )
            await writer.drain()
        except (asyncio.IncompleteReadError, ConnectionError):
            pass
        finally:
            writer.close()
