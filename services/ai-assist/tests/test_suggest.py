"""`POST /api/ai/suggest` against the stand-in model, real Redis (cache, rate limit)."""

from __future__ import annotations

import time
import uuid

from prometheus_client.parser import text_string_to_metric_families

from servicedesk_devtools.testing import eventually

from .conftest import standin


def unique_text(text: str) -> str:
    """Defeats the cache: every test asks something the model has not been asked."""
    return f"{text} (ref {uuid.uuid4().hex[:8]})"


async def test_an_urgent_outage_comes_back_urgent(client, auth) -> None:
    description = unique_text("Production is down for everyone: the VPN gateway is unreachable.")
    resp = await client.post("/api/ai/suggest", json={"description": description}, headers=auth())
    assert resp.status_code == 200, resp.text
    body = resp.json()
    assert body["priority"] == "urgent"
    assert body["category"] in {"outage", "network"}
    assert body["model"] == standin.DEFAULT_MODEL
    assert 5 <= len(body["title"]) <= 200 and body["summary"]
    assert set(body) >= {"title", "category", "priority", "summary", "model"}


async def test_pii_never_reaches_the_model(client, auth, ollama) -> None:
    description = unique_text("I am jane@example.com, call 0049 30 1234567, card 4111111111111111")
    resp = await client.post("/api/ai/suggest", json={"description": description}, headers=auth())
    assert resp.status_code == 200
    sent = ollama.state.requests[-1]["messages"][1]["content"]
    assert "jane@example.com" not in sent and "4111111111111111" not in sent
    assert "1234567" not in sent and "[email]" in sent and "[card]" in sent


async def test_the_same_question_is_answered_from_the_cache(client, auth, ollama) -> None:
    body = {"description": unique_text("My laptop will not boot after the update")}
    first = await client.post("/api/ai/suggest", json=body, headers=auth())
    calls = ollama.state.calls
    second = await client.post("/api/ai/suggest", json=body, headers=auth())
    assert first.status_code == second.status_code == 200
    assert first.json() == second.json()
    assert ollama.state.calls == calls


async def test_malformed_or_schema_violating_answers_are_a_clean_502(client, auth, ollama) -> None:
    for reply in ("malformed", "schema"):
        ollama.state.mode = standin.Mode(reply=reply)
        resp = await client.post(
            "/api/ai/suggest", json={"description": unique_text("printer jam")}, headers=auth()
        )
        assert resp.status_code == 502, resp.text
        assert resp.json()["code"] == "model_output_invalid"
        assert "rm -rf" not in resp.text
    # an invalid answer says nothing about availability: the breaker stays closed
    ollama.state.mode = standin.Mode()
    resp = await client.post(
        "/api/ai/suggest", json={"description": unique_text("printer jam")}, headers=auth()
    )
    assert resp.status_code == 200


async def test_a_hung_model_is_503_in_time_then_fast_while_open_then_recovers(
    app, client, auth, ollama, settings
) -> None:
    ollama.state.mode = standin.Mode(delay=30)
    for _ in range(settings.breaker_failures):
        started = time.perf_counter()
        resp = await client.post(
            "/api/ai/suggest", json={"description": unique_text("hung")}, headers=auth()
        )
        assert resp.status_code == 503 and resp.json()["code"] == "model_unavailable"
        assert time.perf_counter() - started < settings.timeout + 0.5
    assert app.state.runtime.assistant.breaker.state == "open"
    calls = ollama.state.calls
    started = time.perf_counter()
    resp = await client.post(
        "/api/ai/suggest", json={"description": unique_text("hung")}, headers=auth()
    )
    assert resp.status_code == 503
    assert time.perf_counter() - started < 0.2  # no call made
    assert ollama.state.calls == calls
    ollama.state.mode = standin.Mode()  # the model is back
    breaker = app.state.runtime.assistant.breaker
    await eventually(lambda: breaker.state == "half_open")  # `breaker_reset` (0.5 s) passed
    resp = await client.post(
        "/api/ai/suggest", json={"description": unique_text("VPN is slow")}, headers=auth()
    )
    assert resp.status_code == 200
    assert app.state.runtime.assistant.breaker.state == "closed"


async def test_503s_from_ollama_are_unavailable(client, auth, ollama) -> None:
    ollama.state.mode = standin.Mode(status=503, times=1)
    resp = await client.post(
        "/api/ai/suggest", json={"description": unique_text("busy")}, headers=auth()
    )
    assert resp.status_code == 503
    assert resp.headers["content-type"].startswith("application/json")


async def test_each_user_has_an_ai_budget(client, auth, settings) -> None:
    headers = auth()
    limit = int(settings.rate_limit.split("/")[0])
    for _ in range(limit):
        resp = await client.post(
            "/api/ai/suggest", json={"description": unique_text("budget")}, headers=headers
        )
        assert resp.status_code == 200
    resp = await client.post(
        "/api/ai/suggest", json={"description": unique_text("budget")}, headers=headers
    )
    assert resp.status_code == 429 and int(resp.headers["retry-after"]) >= 1
    other = await client.post(
        "/api/ai/suggest", json={"description": unique_text("budget")}, headers=auth()
    )
    assert other.status_code == 200


async def test_bad_input_and_no_token_are_clean_4xx(client, auth) -> None:
    assert (await client.post("/api/ai/suggest", json={"description": "x"})).status_code == 401
    for body in (
        {},
        {"description": ""},
        {"description": "a" * 20_001},
        {"description": "ok", "is_admin": True},
    ):
        resp = await client.post("/api/ai/suggest", json=body, headers=auth())
        assert resp.status_code == 422, body
        assert resp.json()["code"] == "validation_error"
    resp = await client.post(
        "/api/ai/suggest", content=b"{nope", headers=auth() | {"content-type": "application/json"}
    )
    assert resp.status_code == 422


async def test_status_tells_about_the_model_and_the_breaker(client, auth) -> None:
    resp = await client.get("/api/ai/status", headers=auth())
    assert resp.status_code == 200
    assert resp.json() == {
        "model": standin.DEFAULT_MODEL,
        "available": True,
        "breaker": "closed",
        "detail": None,
    }


async def test_metrics_show_model_latency_and_breaker(client, auth) -> None:
    await client.post("/api/ai/suggest", json={"description": unique_text("m")}, headers=auth())
    text = (await client.get("/metrics")).text
    assert 'ai_model_request_duration_seconds_count{operation="suggest",outcome="ok"}' in text
    latency = {
        (tuple(sorted(sample.labels.items())))
        for family in text_string_to_metric_families(text)
        for sample in family.samples
        if sample.name == "http_request_duration_seconds_count"
    }
    wanted = {"method": "POST", "route": "/api/ai/suggest", "service": "ai-assist", "status": "200"}
    assert tuple(sorted(wanted.items())) in latency  # latency by route template and status
    assert "ai_breaker_state 0.0" in text
    assert "ai_cache_requests_total" in text
    assert 'events_consumer_connected{consumer="ai-assist"} 1.0' in text
