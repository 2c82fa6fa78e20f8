"""`python -m servicedesk_auth` (or `servicedesk-auth`): check PostgreSQL and Redis, then
serve."""

from __future__ import annotations

from servicedesk_auth.config import Settings
from servicedesk_auth.main import create_app
from servicedesk_shared.serving import run_service


def main() -> None:
    run_service("auth", Settings, create_app, needs=("postgres", "redis"))


if __name__ == "__main__":
    main()
