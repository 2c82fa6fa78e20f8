"""`python -m servicedesk_tickets` (or `servicedesk-tickets`): check PostgreSQL and Redis
(token revocation), then serve. RabbitMQ is not needed to start: the outbox holds events
until the broker is back."""

from __future__ import annotations

from servicedesk_shared.serving import run_service
from servicedesk_tickets.config import Settings
from servicedesk_tickets.main import create_app


def main() -> None:
    run_service("tickets", Settings, create_app, needs=("postgres", "redis"))


if __name__ == "__main__":
    main()
