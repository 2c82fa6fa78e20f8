"""Async alembic environment for the tickets database (see servicedesk_shared.alembic_env)."""

from servicedesk_shared import alembic_env
from servicedesk_tickets.config import DEFAULT_DATABASE_URL
from servicedesk_tickets.database import load_models

alembic_env.run(
    load_models(), url_variable="TICKETS_DATABASE_URL", default_url=DEFAULT_DATABASE_URL
)
