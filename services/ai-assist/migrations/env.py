"""Async alembic environment for the ai-assist database (see servicedesk_shared.alembic_env)."""

from servicedesk_ai_assist.config import DEFAULT_DATABASE_URL
from servicedesk_ai_assist.database import load_models
from servicedesk_shared import alembic_env

alembic_env.run(
    load_models(), url_variable="AI_ASSIST_DATABASE_URL", default_url=DEFAULT_DATABASE_URL
)
