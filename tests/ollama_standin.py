"""A stand-in for Ollama that speaks its real HTTP API, for tests, benchmarks and `make run`.

Ollama itself cannot be installed where the suite runs, so this server answers the parts
of https://github.com/ollama/ollama/blob/main/docs/api.md that the service desk uses,
with the same shapes:

    GET  /api/version            {"version": ...}
    GET  /api/tags               {"models": [{"name", "model", "modified_at", "size",
                                  "digest", "details"}]}
    POST /api/chat               {"model", "messages", "format", "stream", "options"}
         stream true (Ollama's default): NDJSON, one object per line, `message.content`
         chunks with `done: false`, then a last line with `done: true`, `done_reason` and
         the durations; stream false: one JSON object. An unknown model → 404
         {"error": "model \"x\" not found, try pulling it first"}.

The answer is a deterministic triage of the ticket text that fits the `format` schema
(keywords decide category and priority: "outage", "down for everyone" → urgent), so tests
can assert on behaviour. Faults are switched on over HTTP, for the next N calls or until
reset:

    POST /_standin/mode   {"delay": s, "status": 503, "reply": "malformed" | "schema" |
                           "wire" | "stall", "times": n}
    POST /_standin/reset
    GET  /_standin/requests   the chat bodies received (to check what left for the model)

Run it:  .venv/bin/python tests/ollama_standin.py --port 11434 [--delay 0.2]
"""

from __future__ import annotations

import argparse
import asyncio
import json
import re
import time
from dataclasses import dataclass, field
from datetime import UTC, datetime
from typing import Any

from aiohttp import web

DEFAULT_MODEL = "llama3.2:1b"
STATE: web.AppKey[State] = web.AppKey("state")

CATEGORY_WORDS = [
    ("outage", ("outage", "is down", "down for", "unreachable", "not responding")),
    ("security", ("phishing", "virus", "malware", "breach", "suspicious")),
    ("network", ("vpn", "wifi", "wi-fi", "network", "dns", "internet")),
    ("access", ("password", "login", "log in", "locked out", "access", "permission")),
    ("hardware", ("laptop", "printer", "monitor", "keyboard", "mouse", "screen")),
    ("billing", ("invoice", "billing", "payment", "refund")),
    ("software", ("install", "excel", "outlook", "application", "app ", "crash", "update")),
]
URGENT = ("outage", "down for everyone", "all users", "everyone", "production", "urgent")
HIGH = ("cannot", "can't", "blocked", "unable", "error", "locked out")
LOW = ("question", "how do i", "nice to have", "when convenient")


@dataclass
class Mode:
    delay: float = 0.0
    status: int | None = None
    reply: str | None = None
    times: int | None = None  # None: until reset


@dataclass
class State:
    model: str
    base_delay: float = 0.0
    mode: Mode = field(default_factory=Mode)
    requests: list[dict[str, Any]] = field(default_factory=list)
    peers: list[Any] = field(default_factory=list)  # (host, port) per chat: connection reuse
    calls: int = 0

    def take_mode(self) -> Mode:
        mode = self.mode
        if mode.times is not None:
            mode.times -= 1
            if mode.times <= 0:
                self.mode = Mode()
        return mode


def triage(text: str, schema: dict[str, Any] | None) -> dict[str, Any]:
    """A deterministic answer that fits the `format` schema."""
    lower = text.lower()
    props = (schema or {}).get("properties", {})
    allowed = props.get("category", {}).get("enum") or [c for c, _ in CATEGORY_WORDS] + ["other"]
    category, hits = None, 0
    for name, words in CATEGORY_WORDS:
        if name in allowed and any(w in lower for w in words):
            category, hits = name, hits + 1
            break
    if category is None:
        category = "other" if "other" in allowed else allowed[-1]
    if any(w in lower for w in URGENT):
        priority = "urgent"
    elif any(w in lower for w in HIGH):
        priority = "high"
    elif any(w in lower for w in LOW):
        priority = "low"
    else:
        priority = "medium"
    given, body = _ticket_parts(text)
    first = re.split(r"(?<=[.!?;])\s|\n", (given or body).strip(), maxsplit=1)[0].strip()
    title = _shorten(first or "Support request", 80).rstrip(".;:, ")
    if len(title) < 5:
        title = f"Support request: {title}".strip()
    return {
        "title": title,
        "category": category,
        "priority": priority,
        "summary": f"The user reports: {_shorten(body.strip(), 200)}",
        "confidence": 0.9 if hits else 0.55,
    }


def _ticket_parts(text: str) -> tuple[str | None, str]:
    """(the title, if the text has one, and the description) from inside the data fence."""
    inner = re.search(r"<<<TICKET\n(.*)\nTICKET>>>", text, re.S)
    body = (inner.group(1) if inner else text).strip()
    titled = re.match(r"Title:\s*(.*?)\n\n(.*)", body, re.S)
    return (titled.group(1).strip(), titled.group(2).strip()) if titled else (None, body)


def _shorten(text: str, limit: int) -> str:
    """At most `limit` characters, cut at a word boundary."""
    if len(text) <= limit:
        return text
    return text[: limit - 1].rsplit(" ", 1)[0].rstrip(",;:") + "…"


def _now() -> str:
    return datetime.now(UTC).isoformat().replace("+00:00", "Z")


def _content(state: State, body: dict[str, Any], mode: Mode) -> str:
    messages = body.get("messages") or []
    user = next((m.get("content", "") for m in reversed(messages) if m.get("role") == "user"), "")
    answer = triage(user, body.get("format") if isinstance(body.get("format"), dict) else None)
    if mode.reply == "malformed":
        return '{"title": "Half an answer", "category": '
    if mode.reply == "schema":
        answer.update(category="rm -rf /", priority="apocalyptic", confidence=7)
    return json.dumps(answer)


def _final(state: State, started: float) -> dict[str, Any]:
    took = int((time.perf_counter() - started) * 1e9)
    return {
        "model": state.model,
        "created_at": _now(),
        "message": {"role": "assistant", "content": ""},
        "done": True,
        "done_reason": "stop",
        "total_duration": took,
        "load_duration": 1000,
        "prompt_eval_count": 42,
        "prompt_eval_duration": took // 3,
        "eval_count": 30,
        "eval_duration": took // 2,
    }


async def chat(request: web.Request) -> web.StreamResponse:
    state: State = request.app[STATE]
    started = time.perf_counter()
    try:
        body = await request.json()
    except json.JSONDecodeError:
        return web.json_response({"error": "invalid JSON body"}, status=400)
    state.requests.append(body)
    state.peers.append(request.transport.get_extra_info("peername") if request.transport else None)
    state.calls += 1
    mode = state.take_mode()
    await asyncio.sleep(state.base_delay + mode.delay)
    if mode.status:
        return web.json_response({"error": "server busy, please try again"}, status=mode.status)
    if body.get("model") != state.model:
        error = f'model "{body.get("model")}" not found, try pulling it first'
        return web.json_response({"error": error}, status=404)
    if mode.reply == "wire":
        return web.Response(text="<html>502 Bad Gateway</html>", content_type="text/html")
    content = _content(state, body, mode)
    if body.get("stream") is False:
        reply = _final(state, started) | {"message": {"role": "assistant", "content": content}}
        return web.json_response(reply)
    return await _stream(request, state, content, started, stall=mode.reply == "stall")


async def _stream(
    request: web.Request, state: State, content: str, started: float, *, stall: bool
) -> web.StreamResponse:
    resp = web.StreamResponse(headers={"Content-Type": "application/x-ndjson"})
    await resp.prepare(request)
    step = max(len(content) // 3, 1)
    for i in range(0, len(content), step):
        chunk = {
            "model": state.model,
            "created_at": _now(),
            "message": {"role": "assistant", "content": content[i : i + step]},
            "done": False,
        }
        await resp.write(json.dumps(chunk).encode() + b"\n")
        if stall:
            await asyncio.sleep(3600)
    await resp.write(json.dumps(_final(state, started)).encode() + b"\n")
    await resp.write_eof()
    return resp


async def tags(request: web.Request) -> web.Response:
    state: State = request.app[STATE]
    model = {
        "name": state.model,
        "model": state.model,
        "modified_at": _now(),
        "size": 1321098329,
        "digest": "a80c4f17acd55265feec403c7aef86be0c25983ab279d83f3bcd3abbcb5b8b72",
        "details": {
            "format": "gguf",
            "family": "llama",
            "parameter_size": "1.2B",
            "quantization_level": "Q8_0",
        },
    }
    return web.json_response({"models": [model]})


async def version(_: web.Request) -> web.Response:
    return web.json_response({"version": "0.12.0"})


async def set_mode(request: web.Request) -> web.Response:
    state: State = request.app[STATE]
    data = await request.json()
    state.mode = Mode(
        delay=float(data.get("delay") or 0),
        status=data.get("status"),
        reply=data.get("reply"),
        times=data.get("times"),
    )
    return web.json_response({"ok": True})


async def reset(request: web.Request) -> web.Response:
    state: State = request.app[STATE]
    state.mode, state.requests, state.peers, state.calls = Mode(), [], [], 0
    return web.json_response({"ok": True})


async def received(request: web.Request) -> web.Response:
    state: State = request.app[STATE]
    return web.json_response({"calls": state.calls, "requests": state.requests[-50:]})


def make_app(model: str = DEFAULT_MODEL, delay: float = 0.0) -> web.Application:
    app = web.Application()
    app[STATE] = State(model=model, base_delay=delay)
    app.router.add_get("/api/version", version)
    app.router.add_get("/api/tags", tags)
    app.router.add_post("/api/chat", chat)
    app.router.add_post("/_standin/mode", set_mode)
    app.router.add_post("/_standin/reset", reset)
    app.router.add_get("/_standin/requests", received)
    return app


class StandIn:
    """In-process: `async with StandIn() as ollama:` → `ollama.url`."""

    def __init__(self, model: str = DEFAULT_MODEL, delay: float = 0.0) -> None:
        self.app = make_app(model, delay)
        self.runner = web.AppRunner(
            self.app, access_log=None, handler_cancellation=True, shutdown_timeout=0.5
        )
        self.url = ""

    @property
    def state(self) -> State:
        return self.app[STATE]

    async def __aenter__(self) -> StandIn:
        await self.runner.setup()
        site = web.TCPSite(self.runner, "127.0.0.1", 0)
        await site.start()
        port = site._server.sockets[0].getsockname()[1]  # type: ignore[union-attr]
        self.url = f"http://127.0.0.1:{port}"
        return self

    async def __aexit__(self, *_: object) -> None:
        await self.runner.cleanup()


def main() -> None:
    parser = argparse.ArgumentParser(description="A stand-in Ollama server")
    parser.add_argument("--host", default="127.0.0.1")
    parser.add_argument("--port", type=int, default=11434)
    parser.add_argument("--model", default=DEFAULT_MODEL)
    parser.add_argument("--delay", type=float, default=0.0, help="seconds before each answer")
    args = parser.parse_args()
    web.run_app(
        make_app(args.model, args.delay),
        host=args.host,
        port=args.port,
        access_log=None,
        handler_cancellation=True,
        shutdown_timeout=1,
        print=lambda *_: print(f"ollama stand-in on http://{args.host}:{args.port}", flush=True),
    )


if __name__ == "__main__":
    main()
