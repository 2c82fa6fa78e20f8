"""Async alembic environment for the auth database (see servicedesk_shared.alembic_env)."""

from servicedesk_auth.config import DEFAULT_DATABASE_URL
from servicedesk_auth.database import load_models
from servicedesk_shared import alembic_env

alembic_env.run(load_models(), url_variable="AUTH_DATABASE_URL", default_url=DEFAULT_DATABASE_URL)
