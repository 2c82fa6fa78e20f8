"""`python -m servicedesk_gateway` (or `servicedesk-gateway`): check Redis, then serve.

uvicorn with uvloop and httptools, one process, no access log (the gateway counts requests
in its metrics and logs what matters: refusals and failures), no `Server` header.
"""

from __future__ import annotations

import gc

import uvicorn

from servicedesk_gateway.app import create_app
from servicedesk_gateway.config import Settings
from servicedesk_shared.logging import configure_logging
from servicedesk_shared.startup import check_redis, load_settings, run_checks


def main() -> None:
    settings = load_settings(Settings, "gateway")
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
