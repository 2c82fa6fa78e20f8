"""The async alembic environment every service's `migrations/env.py` runs.

    run(target_metadata, url_variable="AUTH_DATABASE_URL", default_url=DEFAULT_DATABASE_URL)

The database URL comes from `servicedesk_shared.db.migrate` (config attribute), else the
service's variable, else its default.
"""

from __future__ import annotations

import asyncio
import os
from logging.config import fileConfig

from alembic import context
from sqlalchemy import MetaData
from sqlalchemy.engine import Connection
from sqlalchemy.ext.asyncio import create_async_engine


def _database_url(url_variable: str, default_url: str) -> str:
    return (
        context.config.attributes.get("database_url") or os.environ.get(url_variable) or default_url
    )


def _run_offline(url: str, metadata: MetaData) -> None:
    context.configure(url=url, target_metadata=metadata, literal_binds=True)
    with context.begin_transaction():
        context.run_migrations()


def _run_sync(connection: Connection, metadata: MetaData) -> None:
    context.configure(connection=connection, target_metadata=metadata)
    with context.begin_transaction():
        context.run_migrations()


async def _run_online(url: str, metadata: MetaData) -> None:
    engine = create_async_engine(url)
    try:
        async with engine.connect() as connection:
            await connection.run_sync(_run_sync, metadata)
    finally:
        await engine.dispose()


def run(target_metadata: MetaData, *, url_variable: str, default_url: str) -> None:
    config = context.config
    if config.config_file_name and not config.attributes.get("database_url"):
        fileConfig(config.config_file_name, disable_existing_loggers=False)
    url = _database_url(url_variable, default_url)
    if context.is_offline_mode():
        _run_offline(url, target_metadata)
    else:
        asyncio.run(_run_online(url, target_metadata))
