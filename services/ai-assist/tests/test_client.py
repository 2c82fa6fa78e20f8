"""The Ollama client against the stand-in, over real HTTP: both reply forms and each fault."""

from __future__ import annotations

import time
from typing import Any

import pytest

from servicedesk_ai_assist.ollama.client import ModelDown, ModelGarbled, ModelTimeout, OllamaClient
from servicedesk_ai_assist.suggest.prompt import answer_schema, build_messages

from .conftest import standin

SCHEMA = answer_schema(["network", "outage", "other"])
MESSAGES = build_messages("The VPN is down for everyone in Berlin", ["network", "outage", "other"])


@pytest.fixture
async def server() -> Any:
    async with standin.StandIn() as s:
        yield s


@pytest.mark.parametrize("stream", [True, False])
async def test_chat_returns_the_assistant_text_streamed_or_not(server: Any, stream: bool) -> None:
    client = OllamaClient(server.url, standin.DEFAULT_MODEL, timeout=2, stream=stream)
    try:
        reply = await client.chat(MESSAGES, SCHEMA)
    finally:
        await client.aclose()
    assert '"priority": "urgent"' in reply
    sent = server.state.requests[-1]
    assert sent["format"] == SCHEMA and sent["stream"] is stream
    assert sent["options"] == {"temperature": 0}


async def test_a_streamed_reply_is_read_to_the_end_so_the_connection_is_reused(server: Any) -> None:
    client = OllamaClient(server.url, standin.DEFAULT_MODEL, timeout=2)
    try:
        for _ in range(3):
            await client.chat(MESSAGES, SCHEMA)
    finally:
        await client.aclose()
    assert len(set(server.state.peers)) == 1


@pytest.mark.parametrize(
    ("mode", "error"),
    [
        ({"status": 503}, ModelDown),
        ({"reply": "wire"}, ModelGarbled),
        ({"delay": 5}, ModelTimeout),
        ({"reply": "stall"}, ModelTimeout),
    ],
)
async def test_faults_become_one_of_two_errors(server: Any, mode: dict, error: type) -> None:
    server.state.mode = standin.Mode(**mode)
    client = OllamaClient(server.url, standin.DEFAULT_MODEL, timeout=0.5)
    started = time.perf_counter()
    try:
        with pytest.raises(error):
            await client.chat(MESSAGES, SCHEMA)
    finally:
        await client.aclose()
    assert time.perf_counter() - started < 2


async def test_unknown_model_and_closed_port_are_down(server: Any) -> None:
    client = OllamaClient(server.url, "no-such-model", timeout=1)
    with pytest.raises(ModelDown, match="not found"):
        await client.chat(MESSAGES, SCHEMA)
    await client.aclose()
    closed = OllamaClient("http://127.0.0.1:9", standin.DEFAULT_MODEL, timeout=1)
    with pytest.raises(ModelDown):
        await closed.chat(MESSAGES, SCHEMA)
    with pytest.raises(ModelDown):
        await closed.available_models()
    await closed.aclose()


async def test_tags_lists_the_pulled_model(server: Any) -> None:
    client = OllamaClient(server.url, standin.DEFAULT_MODEL, timeout=1)
    assert await client.available_models() == [standin.DEFAULT_MODEL]
    await client.aclose()
