"""`python -m servicedesk_notifications` (or `servicedesk-notifications`): check the
dependencies, then serve."""

from __future__ import annotations

from servicedesk_notifications.config import Settings
from servicedesk_notifications.main import create_app
from servicedesk_shared.logging import configure_logging
from servicedesk_shared.serving import serve
from servicedesk_shared.startup import (
    check_postgres,
    check_rabbitmq,
    check_redis,
    load_settings,
    run_checks,
)


def main() -> None:
    settings = load_settings(Settings, "notifications")
    configure_logging("notifications", settings.log_level)
    run_checks(
        "notifications",
        [
            lambda: check_postgres(settings.database_url, "NOTIFICATIONS_DATABASE_URL"),
            lambda: check_rabbitmq(settings.amqp_url, "AMQP_URL"),
            lambda: check_redis(settings.redis_url, "REDIS_URL"),  # token revocation
        ],
    )
    serve(create_app(settings), host=settings.host, port=settings.port)


if __name__ == "__main__":
    main()
