"""How every service is served: one uvicorn configuration, written once, and one start-up
(`run_service`: settings, logging, the dependencies it declares, then serve).

uvloop + httptools, no access log (the metrics middleware counts requests), JSON logging
kept (`log_config=None`), and `proxy_headers` with uvicorn's default
`forwarded_allow_ips` (127.0.0.1): only the gateway on this host may set the client
address through `X-Forwarded-For`.
"""

from __future__ import annotations

from collections.abc import Callable
from typing import Literal

import uvicorn

from servicedesk_shared.logging import configure_logging
from servicedesk_shared.settings import BaseServiceSettings
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
