"""Async alembic environment for the notifications database (see servicedesk_shared.alembic_env)."""

from servicedesk_notifications.config import DEFAULT_DATABASE_URL
from servicedesk_notifications.database import load_models
from servicedesk_shared import alembic_env

alembic_env.run(
    load_models(), url_variable="NOTIFICATIONS_DATABASE_URL", default_url=DEFAULT_DATABASE_URL
)
