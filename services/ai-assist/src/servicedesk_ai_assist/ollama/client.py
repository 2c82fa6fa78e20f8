"""A small client for Ollama's HTTP API (https://github.com/ollama/ollama/blob/main/docs/api.md).

`chat()` posts to `/api/chat` with `format` set to a JSON schema (structured output) and
returns the assistant's message text, read either as one JSON object (`stream: false`) or
as Ollama's default NDJSON stream (one object per line, `message.content` chunks, the last
line `done: true`). Everything that is not a clean answer becomes one of two errors:

- `ModelDown`     the model could not answer (connection refused, timeout, 5xx, an
                  `error` object, a model that is not pulled) — counts against the breaker;
- `ModelGarbled`  it answered, but not in Ollama's wire format.

The whole call, connect to last byte, is bounded by `timeout` seconds.
"""

from __future__ import annotations

import asyncio
from typing import Any

import httpx
import orjson


class ModelDown(Exception):
    """The model did not answer (or answered with an error)."""


class ModelTimeout(ModelDown):
    """No complete answer within the timeout."""


class ModelGarbled(Exception):
    """The model's reply was not Ollama's wire format."""


class OllamaClient:
    def __init__(
        self,
        base_url: str,
        model: str,
        *,
        timeout: float,
        connect_timeout: float = 2.0,
        stream: bool = True,
        transport: httpx.AsyncBaseTransport | None = None,
    ) -> None:
        self.model = model
        self.timeout = timeout
        self.stream = stream
        self._http = httpx.AsyncClient(
            base_url=base_url.rstrip("/"),
            timeout=httpx.Timeout(timeout, connect=connect_timeout),
            trust_env=False,
            transport=transport,
        )

    async def aclose(self) -> None:
        await self._http.aclose()

    async def chat(self, messages: list[dict[str, str]], schema: dict[str, Any]) -> str:
        """The assistant's reply text for `messages`, constrained to `schema`."""
        body = {
            "model": self.model,
            "messages": messages,
            "format": schema,
            "stream": self.stream,
            "options": {"temperature": 0},
        }
        try:
            async with asyncio.timeout(self.timeout):
                return await self._post_chat(body)
        except TimeoutError:
            raise ModelTimeout(f"no answer within {self.timeout:g}s") from None
        except httpx.HTTPError as exc:
            raise ModelDown(f"{type(exc).__name__}: {exc}") from None

    async def _post_chat(self, body: dict[str, Any]) -> str:
        async with self._http.stream("POST", "/api/chat", json=body) as resp:
            if resp.status_code != 200:
                raw = await resp.aread()
                raise ModelDown(f"HTTP {resp.status_code}: {_error_text(raw)}")
            if not self.stream:
                return _message_text(_json(await resp.aread()))
            return await _read_stream(resp)

    async def available_models(self) -> list[str]:
        """Names from `/api/tags` (raises `ModelDown` when Ollama does not answer)."""
        try:
            resp = await self._http.get("/api/tags", timeout=min(self.timeout, 3.0))
        except httpx.HTTPError as exc:
            raise ModelDown(f"{type(exc).__name__}: {exc}") from None
        if resp.status_code != 200:
            raise ModelDown(f"HTTP {resp.status_code}")
        models = _json(resp.content).get("models") or []
        return [m.get("name") or m.get("model") for m in models if isinstance(m, dict)]


async def _read_stream(resp: httpx.Response) -> str:
    """Join the `message.content` chunks; read to the end so the connection is reused."""
    parts: list[str] = []
    done = False
    async for line in resp.aiter_lines():
        if not line.strip() or done:
            continue
        chunk = _json(line.encode())
        parts.append(_message_text(chunk, final=False))
        done = bool(chunk.get("done"))
    if not done:
        raise ModelGarbled("the stream ended before `done: true`")
    return "".join(parts)


def json_object(raw: bytes | str, error: type[Exception], subject: str = "") -> dict[str, Any]:
    """`raw` parsed as a JSON object, else `error` saying what it is not."""
    try:
        value = orjson.loads(raw)
    except orjson.JSONDecodeError:
        raise error(f"{subject}not JSON") from None
    if not isinstance(value, dict):
        raise error(f"{subject}not a JSON object")
    return value


def _json(raw: bytes) -> dict[str, Any]:
    value = json_object(raw, ModelGarbled)
    if "error" in value:
        raise ModelDown(str(value["error"])[:200])
    return value


def _message_text(obj: dict[str, Any], *, final: bool = True) -> str:
    message = obj.get("message")
    content = message.get("content") if isinstance(message, dict) else None
    if not isinstance(content, str):
        if not final and obj.get("done"):
            return ""
        raise ModelGarbled("no message.content in the reply")
    return content


def _error_text(raw: bytes) -> str:
    try:
        value = orjson.loads(raw)
        if isinstance(value, dict) and "error" in value:
            return str(value["error"])[:200]
    except orjson.JSONDecodeError:
        pass
    return raw[:200].decode(errors="replace")
