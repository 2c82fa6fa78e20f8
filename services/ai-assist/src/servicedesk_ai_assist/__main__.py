"""`python -m servicedesk_ai_assist` (or `servicedesk-ai-assist`): check PostgreSQL and Redis,
then serve. Ollama is not one of them: without a model the service still runs (503s on
suggest, failed triage) and recovers by itself when the model answers."""

from __future__ import annotations

from servicedesk_ai_assist.config import Settings
from servicedesk_ai_assist.main import create_app
from servicedesk_shared.serving import run_service


def main() -> None:
    run_service("ai-assist", Settings, create_app, needs=("postgres", "redis"))


if __name__ == "__main__":
    main()
