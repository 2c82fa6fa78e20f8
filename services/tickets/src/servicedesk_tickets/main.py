"""`create_app(settings)`: routes, middleware, error handlers, and a lifespan that opens
the database engine (nothing connects at import time)."""

from __future__ import annotations

from collections.abc import AsyncIterator
from contextlib import asynccontextmanager

from fastapi import FastAPI
from sqlalchemy import text

from servicedesk_shared.db import create_engine, session_factory
from servicedesk_shared.errors import install_error_handlers
from servicedesk_shared.messaging.relay import OutboxRelay
from servicedesk_shared.observability import MetricsMiddleware, health_router
from servicedesk_shared.requestid import RequestIdMiddleware
from servicedesk_shared.slashes import StripTrailingSlash
from servicedesk_tickets.attachments.router import router as attachments_router
from servicedesk_tickets.audit.router import router as audit_router
from servicedesk_tickets.comments.router import router as comments_router
from servicedesk_tickets.config import Settings
from servicedesk_tickets.database import load_models
from servicedesk_tickets.export.router import router as export_router
from servicedesk_tickets.runtime import Runtime
from servicedesk_tickets.tickets.router import router as tickets_router
from servicedesk_tickets.workflows.router import router as workflows_router

SERVICE = "tickets"
ROUTERS = (tickets_router, comments_router, attachments_router, audit_router, workflows_router,
           export_router)  # fmt: skip


@asynccontextmanager
async def lifespan(app: FastAPI) -> AsyncIterator[None]:
    settings: Settings = app.state.settings
    engine = create_engine(settings.database_url, pool_size=settings.db_pool_size)
    app.state.runtime = Runtime(settings, engine, session_factory(engine), settings.token_settings)
    relay = OutboxRelay(engine=engine, amqp_url=settings.amqp_url, producer=SERVICE)
    relay.start()
    try:
        yield
    finally:
        await relay.stop()
        await engine.dispose()


def readiness_checks(app: FastAPI) -> dict:
    async def database() -> None:
        async with app.state.runtime.engine.connect() as conn:
            await conn.execute(text("SELECT 1"))

    return {"database": database}


def create_app(settings: Settings) -> FastAPI:
    load_models()
    app = FastAPI(
        title="Service Desk — tickets", version="0.1.0", lifespan=lifespan, redirect_slashes=False
    )
    app.state.settings = settings
    for router in ROUTERS:
        app.include_router(router)
    app.include_router(health_router(lambda: readiness_checks(app)))
    install_error_handlers(app)
    app.add_middleware(MetricsMiddleware, service=SERVICE)
    app.add_middleware(StripTrailingSlash)
    app.add_middleware(RequestIdMiddleware)
    return app
