"""`python -m servicedesk_tickets` (or `servicedesk-tickets`): check dependencies, then serve."""

from __future__ import annotations

from servicedesk_shared.logging import configure_logging
from servicedesk_shared.serving import serve
from servicedesk_shared.startup import check_postgres, check_redis, load_settings, run_checks
from servicedesk_tickets.config import Settings
from servicedesk_tickets.main import create_app


def main() -> None:
    settings = load_settings(Settings, "tickets")
    configure_logging("tickets", settings.log_level)
    run_checks(
        "tickets",
        [
            lambda: check_postgres(settings.database_url, "TICKETS_DATABASE_URL"),
            lambda: check_redis(settings.redis_url, "REDIS_URL"),  # token revocation
        ],
    )
    serve(create_app(settings), host=settings.host, port=settings.port)


if __name__ == "__main__":
    main()
