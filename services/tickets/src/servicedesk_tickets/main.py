"""`create_app(settings)`: routes, middleware, error handlers, and a lifespan that opens
the database engine, the outbox relay, the event consumer, the SLA scheduler and the audit
sealer (nothing connects at import time; the relay and the consumer reach RabbitMQ in the
background, so the service starts and takes tickets while the broker is down)."""

from __future__ import annotations

from collections.abc import AsyncIterator
from contextlib import AsyncExitStack, asynccontextmanager

from fastapi import FastAPI

from servicedesk_shared.db import service_engine, session_factory
from servicedesk_shared.messaging.consumer import Consumer
from servicedesk_shared.messaging.relay import OutboxRelay
from servicedesk_shared.principal import open_token_guard
from servicedesk_shared.redis import create_redis
from servicedesk_shared.serving import install_service_layers
from servicedesk_tickets.ai_settings.router import router as ai_settings_router
from servicedesk_tickets.attachments.router import router as attachments_router
from servicedesk_tickets.audit.router import router as audit_router
from servicedesk_tickets.audit.sealer import Sealer
from servicedesk_tickets.comments.router import router as comments_router
from servicedesk_tickets.config import Settings
from servicedesk_tickets.consumers import build_handlers
from servicedesk_tickets.database import load_models
from servicedesk_tickets.export.router import router as export_router
from servicedesk_tickets.internal.router import router as internal_router
from servicedesk_tickets.people.router import router as people_router
from servicedesk_tickets.runtime import Runtime
from servicedesk_tickets.similar.router import router as similar_router
from servicedesk_tickets.sla.router import router as sla_router
from servicedesk_tickets.sla.scheduler import SlaScheduler
from servicedesk_tickets.ticketing.router import router as tickets_router
from servicedesk_tickets.views.router import router as views_router
from servicedesk_tickets.workflows.router import router as workflows_router

SERVICE = "tickets"
ROUTERS = (
    tickets_router,
    similar_router,
    comments_router,
    attachments_router,
    audit_router,
    workflows_router,
    export_router,
    ai_settings_router,
    people_router,
    sla_router,
    views_router,
    internal_router,
)


def open_runtime(settings: Settings) -> Runtime:
    engine = service_engine(settings)
    sessions = session_factory(engine)
    consumer = Consumer(
        name=settings.consumer_name,
        amqp_url=settings.amqp_url,
        sessions=sessions,
        handlers=build_handlers(settings),
        delivery_limit=settings.consumer_delivery_limit,
        group_size=settings.consumer_group_size,
    )
    redis = create_redis(settings.redis_url)
    guard = open_token_guard(settings, redis)
    return Runtime(settings, engine, sessions, redis, guard, consumer)


@asynccontextmanager
async def lifespan(app: FastAPI) -> AsyncIterator[None]:
    runtime = open_runtime(app.state.settings)
    app.state.runtime = runtime
    relay = OutboxRelay(engine=runtime.engine, amqp_url=runtime.settings.amqp_url, producer=SERVICE)
    async with AsyncExitStack() as stack:
        stack.push_async_callback(runtime.engine.dispose)
        stack.push_async_callback(runtime.redis.aclose)
        relay.start()
        stack.push_async_callback(relay.stop)
        runtime.consumer.start()
        stack.push_async_callback(runtime.consumer.stop)
        scheduler = SlaScheduler(runtime.sessions, interval=runtime.settings.sla_poll_seconds)
        scheduler.start()
        stack.push_async_callback(scheduler.stop)
        sealer = Sealer(runtime.engine)
        sealer.start()
        stack.push_async_callback(sealer.stop)
        yield


def create_app(settings: Settings) -> FastAPI:
    load_models()
    app = FastAPI(
        title="Service Desk — tickets", version="0.1.0", lifespan=lifespan, redirect_slashes=False
    )
    app.state.settings = settings
    for router in ROUTERS:
        app.include_router(router)
    # Ready: PostgreSQL, and Redis (without it no token can be checked for revocation, so
    # every signed-in request would answer 503). RabbitMQ is left out on purpose: without it
    # tickets still serves every route (events wait in the outbox, triage suggestions in the
    # broker's queue), so a broker outage must not take tickets out of a load balancer.
    install_service_layers(app, SERVICE, settings)
    return app
