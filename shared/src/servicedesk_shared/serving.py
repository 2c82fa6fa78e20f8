"""How every service is served: one uvicorn configuration, written once.

uvloop + httptools, no access log (the metrics middleware counts requests), JSON logging
kept (`log_config=None`), and `proxy_headers` with uvicorn's default
`forwarded_allow_ips` (127.0.0.1): only the gateway on this host may set the client
address through `X-Forwarded-For`.
"""

from __future__ import annotations

import uvicorn


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
