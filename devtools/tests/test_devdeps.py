"""make run starts a missing local PostgreSQL, Redis or RabbitMQ from the compose file,
when Docker can: checked with a fake `docker` on the PATH that records what it is asked."""

from __future__ import annotations

import json
import os
import socket
import stat
from pathlib import Path

import pytest

from servicedesk_devtools import devdeps

FAKE_DOCKER = """#!/usr/bin/env python3
import json, os, sys
with open(os.environ["FAKE_DOCKER_LOG"], "a") as log:
    log.write(json.dumps({"argv": sys.argv[1:], "pg": os.environ.get("POSTGRES_PASSWORD")}) + "\\n")
verb = "UP" if "up" in sys.argv else sys.argv[1].upper()
sys.exit(int(os.environ.get("FAKE_DOCKER_" + verb, "0")))
"""
DEFAULT_ADMIN = ["postgresql+asyncpg://postgres@127.0.0.1:5432/postgres"]


def closed_port() -> int:
    with socket.socket() as sock:
        sock.bind(("127.0.0.1", 0))
        return sock.getsockname()[1]


@pytest.fixture
def docker(tmp_path, monkeypatch) -> Path:
    """A fake `docker` first on the PATH; returns its log (one JSON line per call)."""
    binary = tmp_path / "bin" / "docker"
    binary.parent.mkdir()
    binary.write_text(FAKE_DOCKER)
    binary.chmod(binary.stat().st_mode | stat.S_IEXEC)
    log = tmp_path / "docker.log"
    monkeypatch.setenv("PATH", f"{binary.parent}:{os.environ['PATH']}")
    monkeypatch.setenv("FAKE_DOCKER_LOG", str(log))
    monkeypatch.delenv("POSTGRES_PASSWORD", raising=False)
    return log


def calls(log: Path) -> list[dict]:
    return [json.loads(line) for line in log.read_text().splitlines()] if log.exists() else []


def test_only_dependencies_at_their_local_defaults_can_be_stood_in_for():
    assert devdeps.startable(devdeps.urls({}, DEFAULT_ADMIN)) == ["postgres", "redis", "rabbitmq"]
    elsewhere = {
        "REDIS_URL": "redis://cache.internal:6379/0",
        "AMQP_URL": "amqp://guest:guest@127.0.0.1:5673/",  # not the standard port
    }
    remote_db = ["postgresql+asyncpg://postgres@db.internal:5432/postgres"]
    assert devdeps.startable(devdeps.urls(elsewhere, remote_db)) == []


async def test_unreachable_names_what_does_not_answer():
    wanted = devdeps.urls(
        {"REDIS_URL": f"redis://127.0.0.1:{closed_port()}/0"},
        DEFAULT_ADMIN,  # this machine's PostgreSQL and RabbitMQ are up
    )
    assert await devdeps.unreachable(wanted) == ["redis"]


def test_a_missing_local_dependency_is_started_with_docker_compose(docker, monkeypatch):
    async def missing(wanted):
        return ["redis", "rabbitmq"]

    monkeypatch.setattr(devdeps, "unreachable", missing)
    assert devdeps.start_missing(devdeps.urls({}, DEFAULT_ADMIN)) is True
    info, version, up = calls(docker)
    assert info["argv"][0] == "info" and version["argv"] == ["compose", "version"]
    root = Path(devdeps.__file__).resolve().parents[3]
    assert up["argv"] == [
        "compose",
        "-p",
        "servicedesk-devstack",
        "-f",
        str(root / "docker-compose.yml"),
        "-f",
        str(root / "deploy" / "compose" / "dev-deps.yml"),
        "up",
        "--detach",
        "--wait",
        "redis",
        "rabbitmq",
    ]
    # The full system's required secrets get local placeholders, or compose would not load.
    assert up["pg"] == "devstack-local-only"


def test_without_a_docker_engine_nothing_is_started(docker, monkeypatch):
    async def missing(wanted):
        return ["postgres"]

    monkeypatch.setattr(devdeps, "unreachable", missing)
    monkeypatch.setenv("FAKE_DOCKER_INFO", "1")  # the client answers, no engine behind it
    assert devdeps.start_missing(devdeps.urls({}, DEFAULT_ADMIN)) is False
    assert [c["argv"][0] for c in calls(docker)] == ["info"]


def test_nothing_is_started_when_everything_answers(docker):
    """This machine runs all three: no docker call at all."""
    assert devdeps.start_missing(devdeps.urls({}, DEFAULT_ADMIN)) is False
    assert calls(docker) == []


def test_a_failing_compose_is_reported_not_raised(docker, monkeypatch, capsys):
    async def missing(wanted):
        return ["postgres"]

    monkeypatch.setattr(devdeps, "unreachable", missing)
    monkeypatch.setenv("FAKE_DOCKER_UP", "1")
    assert devdeps.start_missing(devdeps.urls({}, DEFAULT_ADMIN)) is False
    assert "docker compose could not start ['postgres']" in capsys.readouterr().err
