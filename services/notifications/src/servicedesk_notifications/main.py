"""`create_app(settings)`: routes, middleware, error handlers, and a lifespan that opens
the database engine, the HTTP client for webhooks, the event consumer, the e-mail sender
(when SMTP is configured) and the webhook dispatcher, and closes them in reverse."""

from __future__ import annotations

from collections.abc import AsyncIterator
from contextlib import AsyncExitStack, asynccontextmanager

import httpx
from fastapi import FastAPI

from servicedesk_notifications.config import Settings
from servicedesk_notifications.consumers import build_handlers
from servicedesk_notifications.database import load_models
from servicedesk_notifications.delivery import Channels
from servicedesk_notifications.email.sender import EmailSender
from servicedesk_notifications.inbox.router import router as inbox_router
from servicedesk_notifications.internal.router import router as internal_router
from servicedesk_notifications.runtime import Runtime
from servicedesk_notifications.webhooks.dispatcher import Dispatcher
from servicedesk_notifications.webhooks.router import router as webhooks_router
from servicedesk_notifications.webhooks.ssrf import Allowlist, Resolver
from servicedesk_notifications.worker import Worker
from servicedesk_shared.apikeys import ApiKeys
from servicedesk_shared.db import service_engine, session_factory
from servicedesk_shared.messaging.consumer import Consumer
from servicedesk_shared.principal import open_token_guard
from servicedesk_shared.redis import create_redis
from servicedesk_shared.serving import install_service_layers

SERVICE = "notifications"


def channels(settings: Settings) -> Channels:
    return Channels(email=settings.email_enabled, group_window=settings.group_window)


def open_runtime(settings: Settings, resolver: Resolver) -> Runtime:
    engine = service_engine(settings)
    sessions = session_factory(engine)
    # trust_env=False: no proxy from the environment may stand between us and the pinned IP.
    http = httpx.AsyncClient(
        follow_redirects=False, trust_env=False, timeout=settings.webhook_timeout
    )
    consumer = Consumer(
        name=settings.consumer_name,
        amqp_url=settings.amqp_url,
        sessions=sessions,
        handlers=build_handlers(channels(settings)),
        delivery_limit=settings.consumer_delivery_limit,
        group_size=settings.consumer_group_size,
    )
    redis = create_redis(settings.redis_url)
    return Runtime(
        settings,
        engine,
        sessions,
        redis,
        open_token_guard(settings, redis),
        ApiKeys(settings.api_key_list()),
        Allowlist.parse(settings.allowlist_entries()),
        resolver,
        http,
        consumer,
    )


def workers(runtime: Runtime) -> list[Worker]:
    """The background senders: webhooks always, e-mail when an SMTP host is set."""
    s = runtime.settings
    dispatcher = Dispatcher(
        runtime.sessions,
        s,
        http=runtime.http,
        allowlist=runtime.allowlist,
        resolver=runtime.resolver,
    )
    found = [Worker("webhook-dispatcher", dispatcher.step, s.dispatch_interval)]
    if s.email_enabled:
        sender = EmailSender(runtime.sessions, s)
        found.append(Worker("email-sender", sender.step, s.dispatch_interval))
    return found


@asynccontextmanager
async def lifespan(app: FastAPI) -> AsyncIterator[None]:
    runtime = open_runtime(app.state.settings, app.state.resolver)
    app.state.runtime = runtime
    async with AsyncExitStack() as stack:
        stack.push_async_callback(runtime.engine.dispose)
        stack.push_async_callback(runtime.http.aclose)
        stack.push_async_callback(runtime.redis.aclose)
        runtime.consumer.start()
        stack.push_async_callback(runtime.consumer.stop)
        for worker in workers(runtime):
            worker.start()
            stack.push_async_callback(worker.stop)
        yield


def readiness_checks(app: FastAPI) -> dict:
    """The shared checks, and the event consumer's connection to RabbitMQ."""
    runtime: Runtime = app.state.runtime

    async def consumer() -> None:
        if not runtime.consumer.connected:
            raise ConnectionError("the event consumer is not connected to RabbitMQ")

    return {**runtime.readiness(), "rabbitmq": consumer}


def create_app(settings: Settings, *, resolver: Resolver | None = None) -> FastAPI:
    """The app; `resolver` replaces the system DNS resolver for webhook URLs (tests)."""
    load_models()
    app = FastAPI(
        title="Service Desk — notifications",
        version="0.1.0",
        lifespan=lifespan,
        redirect_slashes=False,
    )
    app.state.settings = settings
    app.state.resolver = resolver or Resolver()
    for router in (inbox_router, webhooks_router, internal_router):
        app.include_router(router)
    install_service_layers(app, SERVICE, settings, lambda: readiness_checks(app))
    return app
