"""`create_app(settings)`: routes, middleware, error handlers, and a lifespan that opens
the database engine, Redis, the Ollama client, the outbox relay and the `ticket.created`
consumer, and closes them in reverse."""

from __future__ import annotations

from collections.abc import AsyncIterator
from contextlib import AsyncExitStack, asynccontextmanager

import httpx
from fastapi import FastAPI

from servicedesk_ai_assist.config import Settings
from servicedesk_ai_assist.database import load_models
from servicedesk_ai_assist.ollama.breaker import CircuitBreaker
from servicedesk_ai_assist.ollama.client import OllamaClient
from servicedesk_ai_assist.ratelimit import UserRateLimit
from servicedesk_ai_assist.runtime import Runtime
from servicedesk_ai_assist.suggest.router import router as suggest_router
from servicedesk_ai_assist.suggest.service import Assistant, SuggestionCache
from servicedesk_ai_assist.triage.consumer import build_steps
from servicedesk_ai_assist.triage.router import router as triage_router
from servicedesk_shared.apikeys import ApiKeys
from servicedesk_shared.db import service_engine, session_factory
from servicedesk_shared.messaging.consumer import Consumer
from servicedesk_shared.messaging.relay import OutboxRelay
from servicedesk_shared.principal import open_token_guard
from servicedesk_shared.redis import Keys, create_redis
from servicedesk_shared.serving import install_service_layers

SERVICE = "ai-assist"


def open_runtime(settings: Settings, transport: httpx.AsyncBaseTransport | None) -> Runtime:
    engine = service_engine(settings)
    redis = create_redis(settings.redis_url)
    keys = Keys(settings.redis_key_prefix)
    client = OllamaClient(
        settings.ollama_url,
        settings.ollama_model,
        timeout=settings.timeout,
        connect_timeout=settings.connect_timeout,
        transport=transport,
    )
    breaker = CircuitBreaker(failures=settings.breaker_failures, reset=settings.breaker_reset)
    assistant = Assistant(
        client,
        breaker,
        SuggestionCache(redis, keys, settings.cache_ttl),
        categories=settings.category_list(),
        mask=settings.mask_pii,
    )
    return Runtime(
        settings,
        engine,
        session_factory(engine),
        redis,
        open_token_guard(settings, redis),
        assistant,
        UserRateLimit(redis, keys, settings.rate_limit),
        ApiKeys(settings.api_key_list()),
    )


@asynccontextmanager
async def lifespan(app: FastAPI) -> AsyncIterator[None]:
    settings: Settings = app.state.settings
    runtime = open_runtime(settings, app.state.transport)
    app.state.runtime = runtime
    relay = OutboxRelay(engine=runtime.engine, amqp_url=settings.amqp_url, producer=SERVICE)
    handlers, prepare = build_steps(runtime.assistant, attempts=settings.triage_attempts)
    consumer = Consumer(
        name=settings.consumer_name,
        amqp_url=settings.amqp_url,
        sessions=runtime.sessions,
        handlers=handlers,
        prepare=prepare,
        delivery_limit=settings.consumer_delivery_limit,
        prefetch=settings.consumer_prefetch,
        group_size=settings.consumer_group_size,
    )
    app.state.consumer = consumer
    async with AsyncExitStack() as stack:
        stack.push_async_callback(runtime.engine.dispose)
        stack.push_async_callback(runtime.redis.aclose)
        stack.push_async_callback(runtime.assistant.client.aclose)
        relay.start()
        stack.push_async_callback(relay.stop)
        consumer.start()
        stack.push_async_callback(consumer.stop)
        yield


def create_app(
    settings: Settings, *, ollama_transport: httpx.AsyncBaseTransport | None = None
) -> FastAPI:
    """The app; `ollama_transport` replaces the network under the Ollama client (tests)."""
    load_models()
    app = FastAPI(
        title="Service Desk — AI assist", version="0.1.0", lifespan=lifespan, redirect_slashes=False
    )
    app.state.settings = settings
    app.state.transport = ollama_transport
    for router in (suggest_router, triage_router):
        app.include_router(router)
    # Ready: database and Redis. The model is not a check: without it this service still
    # answers (503 on suggest, failed triage), which is its job; `/api/ai/status` tells.
    install_service_layers(app, SERVICE, settings)
    return app
