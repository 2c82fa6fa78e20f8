"""Operations: health, readiness (database and the consumer), metrics, OpenAPI, 4xx JSON."""

from __future__ import annotations

import uuid


async def test_health_and_readiness_name_each_dependency(client):
    assert (await client.get("/healthz")).json() == {"status": "ok"}
    ready = await client.get("/readyz")
    assert ready.status_code == 200
    assert ready.json()["dependencies"] == {"database": "ok", "rabbitmq": "ok", "redis": "ok"}


async def test_metrics_include_channels_and_messaging(client, token):
    await client.get("/api/notifications", headers=token(str(uuid.uuid4())))
    body = (await client.get("/metrics")).text
    assert "notifications_sent_total" in body
    assert "events_consumed_total" in body
    assert 'http_requests_total{method="GET"' in body


async def test_openapi_documents_routes_errors_and_the_bearer_scheme(client):
    spec = (await client.get("/openapi.json")).json()
    paths = spec["paths"]
    for path in (
        "/api/notifications",
        "/api/notifications/unread-count",
        "/api/notifications/read-all",
        "/api/notifications/{notification_id}/read",
        "/api/notifications/webhooks",
        "/api/notifications/webhooks/{webhook_id}",
        "/api/notifications/webhooks/{webhook_id}/deliveries",
        "/internal/notifications",
    ):
        assert path in paths, path
    assert "401" in paths["/api/notifications"]["get"]["responses"]
    assert "404" in paths["/api/notifications/{notification_id}/read"]["post"]["responses"]
    assert "403" in paths["/api/notifications/webhooks"]["post"]["responses"]
    schemes = spec["components"]["securitySchemes"]
    assert schemes["HTTPBearer"]["scheme"] == "bearer"
    assert schemes["APIKeyHeader"]["name"] == "X-API-Key"
    for methods in paths.values():
        for operation in methods.values():
            assert operation.get("summary") and operation.get("description"), operation


async def test_bad_input_is_a_json_4xx(client, token):
    me = token(str(uuid.uuid4()))
    for path in ("/api/notifications?limit=0", "/api/notifications?offset=-1"):
        resp = await client.get(path, headers=me)
        assert resp.status_code == 422 and resp.json()["code"] == "validation_error"
    resp = await client.post("/api/notifications/not-a-number/read", headers=me)
    assert resp.status_code == 422
    resp = await client.get("/api/nowhere", headers=me)
    assert resp.status_code == 404 and resp.json()["code"] == "not_found"
