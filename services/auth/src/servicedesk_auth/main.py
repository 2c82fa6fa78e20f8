"""`create_app(settings)`: routes, middleware, error handlers, and a lifespan that opens
the database engine, Redis and the hash pool, ensures the bootstrap superuser, encrypts
TOTP secrets not yet under the current key (the upgrade and rotation path), restores
the deny-list sentinel before serving and keeps it restored in the background, and runs
the outbox relay that publishes `user.*` events (RabbitMQ may be down: events wait)."""

from __future__ import annotations

import asyncio
import contextlib
from collections.abc import AsyncIterator
from contextlib import asynccontextmanager

from fastapi import FastAPI

from servicedesk_auth import bootstrap
from servicedesk_auth.config import Settings
from servicedesk_auth.database import load_models
from servicedesk_auth.denylist import DenyList, keep_restored
from servicedesk_auth.directory.router import router as directory_router
from servicedesk_auth.mfa.router import router as mfa_router
from servicedesk_auth.passwords.hashing import PasswordHasher
from servicedesk_auth.roles.router import router as roles_router
from servicedesk_auth.runtime import Runtime
from servicedesk_auth.sessions.router import router as sessions_router
from servicedesk_auth.users.router import router as users_router
from servicedesk_shared.apikeys import ApiKeys
from servicedesk_shared.db import service_engine, session_factory
from servicedesk_shared.messaging.relay import OutboxRelay
from servicedesk_shared.redis import Keys, create_redis
from servicedesk_shared.serving import install_service_layers

SERVICE = "auth"


def open_runtime(settings: Settings) -> Runtime:
    engine = service_engine(settings)
    redis = create_redis(settings.redis_url)
    keys = Keys(settings.redis_key_prefix)
    hasher = PasswordHasher(
        memory_cost=settings.argon2_memory_cost,
        time_cost=settings.argon2_time_cost,
        parallelism=settings.argon2_parallelism,
        workers=settings.hash_workers,
        nice=settings.hash_nice,
    )
    denylist = DenyList(redis, keys, access_ttl=settings.access_token_ttl)
    return Runtime(
        settings,
        engine,
        session_factory(engine),
        redis,
        keys,
        hasher,
        denylist,
        settings.token_settings,
        settings.totp_cipher,
        ApiKeys(settings.api_key_list()),
    )


async def close_runtime(runtime: Runtime) -> None:
    runtime.hasher.close()
    await runtime.redis.aclose()
    await runtime.engine.dispose()


@asynccontextmanager
async def lifespan(app: FastAPI) -> AsyncIterator[None]:
    settings: Settings = app.state.settings
    runtime = open_runtime(settings)
    app.state.runtime = runtime
    try:
        if settings.bootstrap_admin:
            await bootstrap.ensure_admin(runtime.sessions, runtime.hasher, settings.bootstrap_admin)
        await bootstrap.encrypt_totp_secrets(runtime.sessions, runtime.totp)
        await runtime.denylist.restore_if_missing(runtime.sessions)
        upkeep = asyncio.create_task(
            keep_restored(runtime.denylist, runtime.sessions, settings.denylist_interval)
        )
        relay = OutboxRelay(engine=runtime.engine, amqp_url=settings.amqp_url, producer=SERVICE)
        relay.start()
        try:
            yield
        finally:
            await relay.stop()
            upkeep.cancel()
            with contextlib.suppress(asyncio.CancelledError):
                await upkeep
    finally:
        await close_runtime(runtime)


def create_app(settings: Settings) -> FastAPI:
    load_models()
    app = FastAPI(
        title="Service Desk — auth", version="0.1.0", lifespan=lifespan, redirect_slashes=False
    )
    app.state.settings = settings
    for router in (sessions_router, users_router, roles_router, mfa_router, directory_router):
        app.include_router(router)
    install_service_layers(app, SERVICE, settings)
    return app
