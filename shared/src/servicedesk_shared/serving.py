"""How every service is served: one uvicorn configuration, written once, one start-up
(`run_service`: settings, logging, the dependencies it declares, then serve), and the
layers every service's app wraps around its own routes (`install_service_layers`).

uvloop + httptools, no access log (the metrics middleware counts requests), JSON logging
kept (`log_config=None`), and `proxy_headers` with uvicorn's default
`forwarded_allow_ips` (127.0.0.1): only the gateway on this host may set the client
address through `X-Forwarded-For`.
"""

from __future__ import annotations

from collections.abc import Callable
from typing import Literal

import uvicorn
from fastapi import FastAPI

from servicedesk_shared.errors import install_error_handlers
from servicedesk_shared.headerguard import SingleHeaders
from servicedesk_shared.logging import configure_logging
from servicedesk_shared.observability import Check, MetricsMiddleware, health_router
from servicedesk_shared.overload import install_overload
from servicedesk_shared.requestid import RequestIdMiddleware
from servicedesk_shared.settings import BaseServiceSettings
from servicedesk_shared.slashes import StripTrailingSlash
from servicedesk_shared.startup import (
    check_postgres,
    check_rabbitmq,
    check_redis,
    load_settings,
    run_checks,
)

Dependency = Literal["postgres", "redis", "rabbitmq"]


def serve(app, *, host: str, port: int) -> None:
    uvicorn.run(
        app,
        host=host,
        port=port,
        loop="uvloop",
        http="httptools",
        access_log=False,
        proxy_headers=True,
        log_config=None,
    )


def install_service_layers(
    app: FastAPI,
    service: str,
    settings: BaseServiceSettings,
    readiness: Callable[[], dict[str, Check]] | None = None,
) -> None:
    """After a service's own routers: `/healthz`, `/readyz` (`readiness`, by default the
    runtime's `ServiceRuntime.readiness`) and `/metrics`, the JSON error handlers, the
    overload guard, then the middleware, the request id outermost (added last)."""
    app.include_router(health_router(readiness or (lambda: app.state.runtime.readiness())))
    install_error_handlers(app)
    install_overload(app, service, settings)
    app.add_middleware(MetricsMiddleware, service=service)
    app.add_middleware(StripTrailingSlash)
    app.add_middleware(SingleHeaders)
    app.add_middleware(RequestIdMiddleware)


def run_service(
    name: str,
    settings_class: type[BaseServiceSettings],
    create_app: Callable,
    *,
    needs: tuple[Dependency, ...],
) -> None:
    """`python -m servicedesk_<name>`: settings from the environment (a bad value is one
    line naming its variable), JSON logging, each dependency in `needs` reachable (a
    missing one is one line naming the variable to set, exit 1), then serve."""
    settings = load_settings(settings_class, name)
    configure_logging(name, settings.log_level)
    prefix = name.upper().replace("-", "_")
    checks = {
        "postgres": lambda: check_postgres(settings.database_url, f"{prefix}_DATABASE_URL"),
        "redis": lambda: check_redis(settings.redis_url, "REDIS_URL"),
        "rabbitmq": lambda: check_rabbitmq(settings.amqp_url, "AMQP_URL"),
    }
    run_checks(name, [checks[dependency] for dependency in needs])
    serve(create_app(settings), host=settings.host, port=settings.port)
