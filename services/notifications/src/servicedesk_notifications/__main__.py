"""`python -m servicedesk_notifications` (or `servicedesk-notifications`): check PostgreSQL,
RabbitMQ (its work arrives as events) and Redis (token revocation), then serve."""

from __future__ import annotations

from servicedesk_notifications.config import Settings
from servicedesk_notifications.main import create_app
from servicedesk_shared.serving import run_service


def main() -> None:
    run_service("notifications", Settings, create_app, needs=("postgres", "rabbitmq", "redis"))


if __name__ == "__main__":
    main()
