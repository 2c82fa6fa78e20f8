"""`python -m servicedesk_auth` (or `servicedesk-auth`): check dependencies, then serve."""

from __future__ import annotations

from servicedesk_auth.config import Settings
from servicedesk_auth.main import create_app
from servicedesk_shared.logging import configure_logging
from servicedesk_shared.serving import serve
from servicedesk_shared.startup import check_postgres, check_redis, load_settings, run_checks


def main() -> None:
    settings = load_settings(Settings, "auth")
    configure_logging("auth", settings.log_level)
    run_checks(
        "auth",
        [
            lambda: check_postgres(settings.database_url, "AUTH_DATABASE_URL"),
            lambda: check_redis(settings.redis_url, "REDIS_URL"),
        ],
    )
    serve(create_app(settings), host=settings.host, port=settings.port)


if __name__ == "__main__":
    main()
