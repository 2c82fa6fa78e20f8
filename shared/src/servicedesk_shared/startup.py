"""Start-up checks: a missing dependency is one line naming it and the variable to set."""

from __future__ import annotations

import asyncio
import sys
from collections.abc import Awaitable, Callable
from typing import TypeVar

import asyncpg
import redis.asyncio as aioredis
from pydantic import ValidationError
from pydantic_settings import BaseSettings
from sqlalchemy.engine import make_url

T = TypeVar("T", bound=BaseSettings)


class DependencyMissing(Exception):
    """A dependency is unreachable; the message is the one line to print."""


async def check_postgres(url: str, variable: str) -> None:
    parsed = make_url(url)
    dsn = parsed.set(drivername="postgresql").render_as_string(hide_password=False)
    try:
        conn = await asyncpg.connect(dsn, timeout=5)
        await conn.close()
    except Exception as exc:
        where = f"{parsed.host}:{parsed.port or 5432}/{parsed.database}"
        raise DependencyMissing(
            f"PostgreSQL is not reachable at {where} ({type(exc).__name__}: {exc}); set {variable}"
        ) from None


async def check_redis(url: str, variable: str = "REDIS_URL") -> None:
    client = aioredis.from_url(url, socket_connect_timeout=3)
    try:
        await client.ping()
    except Exception as exc:
        raise DependencyMissing(
            f"Redis is not reachable at {url.split('@')[-1]} ({type(exc).__name__}); set {variable}"
        ) from None
    finally:
        await client.aclose()


def run_checks(service: str, checks: list[Callable[[], Awaitable[None]]]) -> None:
    """Run the checks; on the first failure print one line and exit with status 1."""

    async def _all() -> None:
        for check in checks:
            await check()

    try:
        asyncio.run(_all())
    except DependencyMissing as exc:
        print(f"{service}: cannot start: {exc}", file=sys.stderr)
        raise SystemExit(1) from None


async def check_rabbitmq(url: str, variable: str = "AMQP_URL") -> None:
    import logging

    import aio_pika

    # aiormq logs its own "connect failed" line: the one line below says it all.
    quiet = logging.getLogger("aiormq")
    level, quiet.level = quiet.level, logging.CRITICAL
    try:
        connection = await aio_pika.connect(url, timeout=5)
        await connection.close()
    except Exception as exc:
        where = url.split("@")[-1]
        raise DependencyMissing(
            f"RabbitMQ is not reachable at {where} ({type(exc).__name__}); set {variable}"
        ) from None
    finally:
        quiet.setLevel(level)


def load_settings(cls: type[T], service: str) -> T:
    """`cls()` from the environment; a bad value is one line naming its variable, exit 1."""
    try:
        return cls()
    except ValidationError as exc:
        first = exc.errors()[0]
        print(
            f"{service}: cannot start: {_variable(cls, first['loc'])}: {first['msg']}",
            file=sys.stderr,
        )
        raise SystemExit(1) from None


def _variable(cls: type[BaseSettings], loc: tuple) -> str:
    """The environment variable behind a validation error's location."""
    if not loc:
        return "settings"
    name = str(loc[0])
    field = cls.model_fields.get(name)
    if field is None:  # already an alias such as RATE_LIMIT_LOGIN
        return name
    alias = field.validation_alias
    choices = getattr(alias, "choices", None)
    if choices:
        return str(choices[0])
    if isinstance(alias, str):
        return alias
    return (str(cls.model_config.get("env_prefix", "")) + name).upper()
