"""`make run` on a machine without PostgreSQL, Redis or RabbitMQ: start the missing ones
from docker-compose.yml when a Docker engine is there.

Only a dependency configured at its local default (loopback, standard port) is started:
one configured elsewhere that does not answer is its operator's to fix, and stays the
usual one-line error. The containers run as the compose project `servicedesk-devstack`
(apart from a `docker compose up` of the whole system), published on 127.0.0.1 with
make run's defaults by deploy/compose/dev-deps.yml (PostgreSQL trusting local
connections, RabbitMQ guest/guest, Redis without a password).
"""

from __future__ import annotations

import asyncio
import os
import re
import shutil
import subprocess
import sys
from pathlib import Path
from urllib.parse import urlsplit

from servicedesk_shared.startup import (
    DependencyMissing,
    check_postgres,
    check_rabbitmq,
    check_redis,
)

ROOT = Path(__file__).resolve().parents[3]
COMPOSE_FILES = [ROOT / "docker-compose.yml", ROOT / "deploy" / "compose" / "dev-deps.yml"]
PROJECT = "servicedesk-devstack"
DEFAULTS = {
    "postgres": ("POSTGRES_URL", "postgresql+asyncpg://postgres@127.0.0.1:5432/postgres", 5432),
    "redis": ("REDIS_URL", "redis://127.0.0.1:6379/0", 6379),
    "rabbitmq": ("AMQP_URL", "amqp://guest:guest@127.0.0.1:5672/", 5672),
}
LOOPBACK = {"127.0.0.1", "localhost", "::1"}


def urls(env: dict[str, str], postgres: list[str]) -> dict[str, list[str]]:
    """Each dependency's URLs: `postgres` are the databases' admin URLs (devstack's)."""
    return {
        "postgres": postgres,
        "redis": [env.get("REDIS_URL") or DEFAULTS["redis"][1]],
        "rabbitmq": [env.get("AMQP_URL") or DEFAULTS["rabbitmq"][1]],
    }


def startable(wanted: dict[str, list[str]]) -> list[str]:
    """The dependencies whose every URL is the local default, which compose can stand in for."""
    out = []
    for name, found in wanted.items():
        port = DEFAULTS[name][2]
        parts = [urlsplit(url) for url in found]
        if parts and all(p.hostname in LOOPBACK and (p.port or port) == port for p in parts):
            out.append(name)
    return out


async def unreachable(wanted: dict[str, list[str]]) -> list[str]:
    """The dependencies that do not answer at one of their URLs."""
    checks = {"postgres": check_postgres, "redis": check_redis, "rabbitmq": check_rabbitmq}
    missing = []
    for name, found in wanted.items():
        for url in found:
            try:
                await checks[name](url, DEFAULTS[name][0])
            except DependencyMissing:
                missing.append(name)
                break
    return missing


def docker_compose() -> list[str] | None:
    """`docker compose`, when the client, its compose plugin and an engine all answer."""
    docker = shutil.which("docker")
    if docker is None:
        return None
    for probe in (["info", "--format", "{{.ServerVersion}}"], ["compose", "version"]):
        try:
            done = subprocess.run([docker, *probe], capture_output=True, timeout=15)
        except (OSError, subprocess.TimeoutExpired):
            return None
        if done.returncode != 0:
            return None
    return [docker, "compose"]


def compose_env() -> dict[str, str]:
    """The environment for compose: docker-compose.yml refuses to load while the secrets
    of the full system are unset, though none of them matters to these three containers
    as dev-deps.yml configures them."""
    env = dict(os.environ)
    for compose_file in COMPOSE_FILES:
        for name in re.findall(r"\$\{([A-Z0-9_]+):\?", compose_file.read_text()):
            env[name] = env.get(name) or "devstack-local-only"
    return env


def start(compose: list[str], names: list[str]) -> None:
    files = [arg for path in COMPOSE_FILES for arg in ("-f", str(path))]
    command = [*compose, "-p", PROJECT, *files, "up", "--detach", "--wait", *names]
    print(f"devstack: starting {', '.join(names)} with Docker Compose", file=sys.stderr)
    subprocess.run(command, check=True, env=compose_env(), timeout=600)


def start_missing(wanted: dict[str, list[str]]) -> bool:
    """Start what is missing and can be started; True when something was."""
    candidates = startable(wanted)
    if not candidates:
        return False
    missing = asyncio.run(unreachable({name: wanted[name] for name in candidates}))
    if not missing:
        return False
    compose = docker_compose()
    if compose is None:
        return False
    try:
        start(compose, missing)
    except (subprocess.CalledProcessError, subprocess.TimeoutExpired) as exc:
        print(f"devstack: docker compose could not start {missing}: {exc}", file=sys.stderr)
        return False
    return True
