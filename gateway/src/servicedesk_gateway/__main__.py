"""`python -m servicedesk_gateway` (or `servicedesk-gateway`): check Redis, then serve.

uvicorn with uvloop and httptools, one process, no access log (the gateway counts requests
in its metrics and logs what matters: refusals and failures), no `Server` header.
"""

from __future__ import annotations

import gc

import uvicorn
from pydantic import ValidationError

from servicedesk_gateway.app import create_app
from servicedesk_gateway.config import Settings
from servicedesk_shared.logging import configure_logging
from servicedesk_shared.startup import check_redis, run_checks


def _settings() -> Settings:
    try:
        return Settings()
    except ValidationError as exc:
        first = exc.errors()[0]
        where = ".".join(map(str, first["loc"])) or "settings"
        raise SystemExit(f"gateway: cannot start: {where}: {first['msg']}") from None


def main() -> None:
    settings = _settings()
    configure_logging("gateway", settings.log_level)
    run_checks("gateway", [lambda: check_redis(settings.redis_url)])
    # Everything imported so far lives forever: keep the collector from rescanning it
    # (https://docs.python.org/3/library/gc.html#gc.freeze).
    gc.freeze()
    uvicorn.run(
        create_app(settings),
        host=settings.host,
        port=settings.port,
        loop="uvloop",
        http="httptools",
        access_log=False,
        server_header=False,
        lifespan="on",
        # uvicorn's own X-Forwarded-For handling trusts 127.0.0.1 by default and rewrites the
        # peer address; the gateway decides whom to believe itself (clientip.py).
        proxy_headers=False,
        forwarded_allow_ips="",
        log_config=None,  # keep configure_logging's JSON handler
    )


if __name__ == "__main__":
    main()
