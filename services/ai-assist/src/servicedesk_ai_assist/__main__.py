"""`python -m servicedesk_ai_assist` (or `servicedesk-ai-assist`): check the dependencies,
then serve. Ollama is not one of them: without a model the service still runs (503s on
suggest, failed triage) and recovers by itself when the model answers."""

from __future__ import annotations

from servicedesk_ai_assist.config import Settings
from servicedesk_ai_assist.main import create_app
from servicedesk_shared.logging import configure_logging
from servicedesk_shared.serving import serve
from servicedesk_shared.startup import check_postgres, check_redis, load_settings, run_checks


def main() -> None:
    settings = load_settings(Settings, "ai-assist")
    configure_logging("ai-assist", settings.log_level)
    run_checks(
        "ai-assist",
        [
            lambda: check_postgres(settings.database_url, "AI_ASSIST_DATABASE_URL"),
            lambda: check_redis(settings.redis_url, "REDIS_URL"),
        ],
    )
    serve(create_app(settings), host=settings.host, port=settings.port)


if __name__ == "__main__":
    main()
