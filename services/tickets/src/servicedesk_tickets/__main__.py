"""`python -m servicedesk_tickets` (or `servicedesk-tickets`): check dependencies, then serve."""

from __future__ import annotations

import uvicorn

from servicedesk_shared.logging import configure_logging
from servicedesk_shared.startup import check_postgres, run_checks
from servicedesk_tickets.config import Settings
from servicedesk_tickets.main import create_app


def main() -> None:
    settings = Settings()
    configure_logging("tickets", settings.log_level)
    run_checks("tickets", [lambda: check_postgres(settings.database_url, "TICKETS_DATABASE_URL")])
    # forwarded_allow_ips stays uvicorn's default, 127.0.0.1: only the gateway on this host
    # may set the client address through X-Forwarded-For.
    uvicorn.run(
        create_app(settings),
        host=settings.host,
        port=settings.port,
        loop="uvloop",
        http="httptools",
        access_log=False,
        proxy_headers=True,
    )


if __name__ == "__main__":
    main()
