"""What the lifespan does: bootstrap superuser, deny-list sentinel; and the ops routes."""

import asyncio

from asgi_lifespan import LifespanManager
from sqlalchemy import text

from servicedesk_auth import bootstrap
from servicedesk_auth.main import create_app
from servicedesk_devtools.testing import eventually, unique
from servicedesk_shared.redis import Keys

ADMIN_PASSWORD = "Tidal-Copper-Orchard-88"


async def rows_for(engine, username):
    async with engine.connect() as conn:
        query = "SELECT is_superuser, is_active, password_hash FROM users WHERE username = :u"
        return (await conn.execute(text(query), {"u": username})).all()


async def execute(engine, sql, **params):
    async with engine.begin() as conn:
        await conn.execute(text(sql), params)


async def test_the_bootstrap_superuser_is_ensured_idempotently(app, settings_for):
    runtime, name = app.state.runtime, unique("boss")
    admin = (name, f"{name}@example.com", ADMIN_PASSWORD)
    try:
        await asyncio.gather(
            *(bootstrap.ensure_admin(runtime.sessions, runtime.hasher, admin) for _ in range(3))
        )
        [(is_superuser, is_active, _)] = await rows_for(runtime.engine, name)
        assert is_superuser and is_active
        await execute(
            runtime.engine,
            "UPDATE users SET is_superuser = false, is_active = false, password_hash = 'kept' "
            "WHERE username = :u",
            u=name,
        )
        second = create_app(settings_for(admin_username=name, admin_email=admin[1]))
        async with LifespanManager(second):
            pass
        assert await rows_for(runtime.engine, name) == [(True, True, "kept")]
    finally:
        await execute(
            runtime.engine,
            "UPDATE users SET is_superuser = false, is_active = false WHERE username = :u",
            u=name,
        )


async def test_the_deny_list_is_restored_after_redis_loses_it(
    app, committing_client, committing_api, bearer
):
    redis, keys = app.state.runtime.redis, Keys(app.state.settings.redis_key_prefix)
    _, pair = await committing_api.signed_in()
    await committing_client.post(
        "/api/auth/logout", json={"refresh": pair["refresh"]}, headers=bearer(pair)
    )
    changer, changer_pair = await committing_api.signed_in()
    await committing_client.post(
        "/api/users/me/password",
        json={"current_password": "violet-harbour-lantern", "new_password": "fresh-tundra-42x"},
        headers=bearer(changer_pair),
    )
    import jwt

    jti = jwt.decode(pair["access"], options={"verify_signature": False})["jti"]
    lost = [keys.deny_jti(jti), keys.token_version(changer["id"]), keys.denylist_ready]
    assert await redis.exists(*lost) == 3
    await redis.delete(*lost)
    await eventually(lambda: redis.exists(keys.denylist_ready))
    assert await redis.exists(*lost) == 3
    assert await redis.get(keys.token_version(changer["id"])) == b"1"
    assert await redis.ttl(keys.denylist_ready) == -1


async def test_health_readiness_and_metrics(committing_client):
    assert (await committing_client.get("/healthz")).status_code == 200
    ready = await committing_client.get("/readyz")
    assert ready.status_code == 200
    assert ready.json()["dependencies"] == {"database": "ok", "redis": "ok"}
    metrics = await committing_client.get("/metrics")
    assert "http_requests_total" in metrics.text


async def test_the_request_id_is_echoed(committing_client):
    response = await committing_client.get("/healthz", headers={"X-Request-ID": "abc-123-def-456"})
    assert response.headers["x-request-id"] == "abc-123-def-456"


async def test_openapi_documents_every_route_its_errors_and_the_bearer_scheme(committing_client):
    spec = (await committing_client.get("/openapi.json")).json()
    assert spec["components"]["securitySchemes"]["HTTPBearer"]["scheme"] == "bearer"
    for path, methods in spec["paths"].items():
        for method, operation in methods.items():
            assert operation.get("description"), (method, path)
    assert "429" in spec["paths"]["/api/token"]["post"]["responses"]
    assert "429" in spec["paths"]["/api/auth/register"]["post"]["responses"]
    assert "403" in spec["paths"]["/api/users"]["get"]["responses"]
    assert "409" in spec["paths"]["/api/users/{user_id}"]["patch"]["responses"]
    me = spec["paths"]["/api/users/me"]["get"]
    assert me["security"] == [{"HTTPBearer": []}]
    assert "401" in me["responses"]
    login = spec["paths"]["/api/token"]["post"]["requestBody"]["content"]
    assert set(login) == {"application/json", "application/x-www-form-urlencoded"}
