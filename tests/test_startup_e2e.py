"""A missing dependency at start-up is one line naming it and the variable, and exit 1."""

from __future__ import annotations

import os
import subprocess
import sys

import pytest

from .conftest import free_port

pytestmark = pytest.mark.e2e

CLOSED = free_port()  # nothing listens there


def start(module: str, **env: str) -> subprocess.CompletedProcess:
    keys = {"JWT_SECRET_KEYS": "t:" + "x" * 64, "AUTH_TOTP_ENCRYPTION_KEYS": "t:" + "y" * 64}
    full_env = {**os.environ, "DESK_ENV": "test", **keys, **env}
    return subprocess.run(
        [sys.executable, "-m", module], env=full_env, capture_output=True, text=True, timeout=60
    )


def assert_one_line_naming(result: subprocess.CompletedProcess, *words: str) -> None:
    assert result.returncode != 0
    lines = [line for line in result.stderr.splitlines() if line.strip()]
    assert len(lines) == 1, result.stderr
    assert "Traceback" not in result.stderr
    for word in words:
        assert word in lines[0], lines[0]


def test_auth_without_postgres_says_so_in_one_line():
    result = start(
        "servicedesk_auth",
        AUTH_PORT=str(free_port()),
        AUTH_DATABASE_URL=f"postgresql+asyncpg://postgres@127.0.0.1:{CLOSED}/x",
    )
    assert_one_line_naming(result, "PostgreSQL", "AUTH_DATABASE_URL")


def test_auth_without_redis_says_so_in_one_line():
    result = start(
        "servicedesk_auth",
        AUTH_PORT=str(free_port()),
        AUTH_DATABASE_URL="postgresql+asyncpg://postgres@127.0.0.1:5432/postgres",
        REDIS_URL=f"redis://127.0.0.1:{CLOSED}/0",
    )
    assert_one_line_naming(result, "Redis", "REDIS_URL")


@pytest.mark.parametrize(
    ("module", "port", "database"),
    [
        ("servicedesk_tickets", "TICKETS_PORT", "TICKETS_DATABASE_URL"),
        ("servicedesk_notifications", "NOTIFICATIONS_PORT", "NOTIFICATIONS_DATABASE_URL"),
    ],
)
def test_a_service_checking_revocation_without_redis_says_so_in_one_line(module, port, database):
    result = start(
        module,
        **{
            port: str(free_port()),
            database: "postgresql+asyncpg://postgres@127.0.0.1:5432/postgres",
        },
        REDIS_URL=f"redis://127.0.0.1:{CLOSED}/0",
    )
    assert_one_line_naming(result, "Redis", "REDIS_URL")


def test_gateway_without_redis_says_so_in_one_line():
    result = start(
        "servicedesk_gateway",
        GATEWAY_PORT=str(free_port()),
        REDIS_URL=f"redis://127.0.0.1:{CLOSED}/0",
    )
    assert_one_line_naming(result, "Redis", "REDIS_URL")


def test_make_run_without_postgres_says_so_in_one_line():
    result = subprocess.run(
        [sys.executable, "-m", "servicedesk_devtools.devstack", "prepare"],
        env={
            **os.environ,
            "AUTH_DATABASE_URL": f"postgresql+asyncpg://postgres@127.0.0.1:{CLOSED}/x",
        },
        capture_output=True,
        text=True,
        timeout=60,
    )
    assert_one_line_naming(result, "PostgreSQL", "AUTH_DATABASE_URL")


def test_production_refuses_a_missing_signing_key():
    env = {k: v for k, v in os.environ.items() if k != "JWT_SECRET_KEYS"}
    result = subprocess.run(
        [sys.executable, "-m", "servicedesk_gateway"],
        env={**env, "DESK_ENV": "production", "GATEWAY_PORT": str(free_port())},
        capture_output=True,
        text=True,
        timeout=60,
    )
    assert result.returncode != 0
    assert "JWT_SECRET_KEYS" in result.stderr
    assert "Traceback" not in result.stderr


def test_make_run_without_rabbitmq_says_so_in_one_line():
    result = subprocess.run(
        [sys.executable, "-m", "servicedesk_devtools.devstack", "prepare"],
        env={**os.environ, "AMQP_URL": f"amqp://guest:guest@127.0.0.1:{CLOSED}/"},
        capture_output=True,
        text=True,
        timeout=60,
    )
    assert_one_line_naming(result, "RabbitMQ", "AMQP_URL")


@pytest.mark.parametrize(
    ("module", "variable", "value"),
    [
        ("servicedesk_auth", "AUTH_PORT", "eighty"),
        ("servicedesk_tickets", "TICKETS_DB_POOL_SIZE", "many"),
        ("servicedesk_notifications", "NOTIFICATIONS_SMTP_PORT", "abc"),
        ("servicedesk_ai_assist", "AI_ASSIST_TIMEOUT", "soon"),
        ("servicedesk_ai_assist", "RATE_LIMIT_AI", "lots"),
        ("servicedesk_gateway", "RATE_LIMIT_LOGIN", "lots"),
    ],
)
def test_a_bad_setting_is_one_line_naming_its_variable(module, variable, value):
    result = start(module, **{variable: value})
    assert_one_line_naming(result, "cannot start", variable)
