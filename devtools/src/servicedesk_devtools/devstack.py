"""Run the whole system as local processes: what `make run` and the end-to-end tests use.

    python -m servicedesk_devtools.devstack run       create databases, migrate, run all
    python -m servicedesk_devtools.devstack prepare   create databases and migrate only

The topology (each service, its import name, port variable and database) is
`servicedesk_shared.topology`'s table; a service whose package is not installed is
skipped. Ctrl-C or SIGTERM stops every child cleanly; a child that dies stops the rest.

`DESK_REPLICAS=N` (default 1) runs N processes of every service but the gateway: replica
k (0-based) of a service listens on its port + 100·k (auth 8001, 8101, 8201…; tickets
8002, 8102…), and the gateway is given each service's list in `AUTH_URL`, `TICKETS_URL`…
(unless those are set), which it spreads requests over (gateway/upstreams.py).
PostgreSQL, Redis or RabbitMQ missing at its local default is started from
docker-compose.yml when a Docker engine is there (`devdeps`).
"""

from __future__ import annotations

import asyncio
import os
import secrets
import signal
import subprocess
import sys
import time
import urllib.request
from dataclasses import dataclass
from pathlib import Path

from servicedesk_devtools import devdeps
from servicedesk_shared.db import ensure_database, migrate
from servicedesk_shared.startup import (
    DependencyMissing,
    check_postgres,
    check_rabbitmq,
    check_redis,
)
from servicedesk_shared.topology import SERVICES, Service, installed_services

ROOT = Path(__file__).resolve().parents[3]
DEV_KEY_FILE = ROOT / ".devstack" / "jwt-key"
DEV_TOTP_KEY_FILE = ROOT / ".devstack" / "totp-key"
# The key `scripts/refresh.py` presents to ai-assist's POST /internal/triage on `make run`.
DEV_AI_KEY_FILE = ROOT / ".devstack" / "ai-api-key"
# The key the people backfill presents to auth's GET /internal/users on `make run`.
DEV_AUTH_KEY_FILE = ROOT / ".devstack" / "auth-api-key"
# The key `scripts/refresh.py` presents to tickets' GET /internal/tickets on `make run`.
DEV_TICKETS_KEY_FILE = ROOT / ".devstack" / "tickets-api-key"


def alembic_ini(service: Service) -> Path:
    return ROOT / "services" / service.name / "alembic.ini"


def database_url(service: Service, env: dict[str, str]) -> str:
    assert service.db_var and service.db_name
    default = f"postgresql+asyncpg://postgres@127.0.0.1:5432/{service.db_name}"
    return env.get(service.db_var) or default


def port(service: Service, env: dict[str, str]) -> int:
    return int(env.get(service.port_var) or service.port)


REPLICA_PORT_STEP = 100


@dataclass(frozen=True)
class Replica:
    """One process of a service: the first keeps the service's name and port."""

    service: Service
    index: int
    port: int

    @property
    def name(self) -> str:
        return self.service.name if self.index == 0 else f"{self.service.name}-{self.index + 1}"


def replica_count(env: dict[str, str]) -> int:
    raw = env.get("DESK_REPLICAS") or "1"
    if not raw.isdigit() or not 1 <= int(raw) <= 9:
        raise ValueError(f"DESK_REPLICAS must be a whole number from 1 to 9, not {raw!r}")
    return int(raw)


def replicas(env: dict[str, str]) -> list[Replica]:
    """Every process to run, in start order (the gateway last, alone)."""
    count = replica_count(env)
    procs = []
    for service in installed_services():
        n = 1 if service.name == "gateway" else count
        base = port(service, env)
        procs += [Replica(service, k, base + REPLICA_PORT_STEP * k) for k in range(n)]
    return procs


def replica_env(replica: Replica, env: dict[str, str]) -> dict[str, str]:
    """The environment of one process: its own port; the gateway gets every upstream list."""
    own = {**env, replica.service.port_var: str(replica.port)}
    if replica.service.name != "gateway":
        return own
    for service in installed_services():
        url_var = service.port_var.removesuffix("_PORT") + "_URL"
        if service.name == "gateway" or env.get(url_var):
            continue
        ports = [r.port for r in replicas(env) if r.service == service]
        own[url_var] = ",".join(f"http://127.0.0.1:{p}" for p in ports)
    return own


async def _check_dependencies(env: dict[str, str]) -> None:
    for service in installed_services():
        if service.db_var:
            url = database_url(service, env)
            admin = url.rsplit("/", 1)[0] + "/postgres"
            await check_postgres(admin, service.db_var)
    await check_redis(env.get("REDIS_URL") or "redis://127.0.0.1:6379/0")
    await check_rabbitmq(env.get("AMQP_URL") or "amqp://guest:guest@127.0.0.1:5672/")


def _dependencies_ready(env: dict[str, str]) -> None:
    """Check PostgreSQL, Redis and RabbitMQ; start the missing local ones from the compose
    file when Docker can (devdeps), else one line naming what is missing, and exit 1."""
    try:
        asyncio.run(_check_dependencies(env))
        return
    except DependencyMissing as exc:
        admins = [
            database_url(s, env).rsplit("/", 1)[0] + "/postgres"
            for s in installed_services()
            if s.db_var
        ]
        failure = exc
        if devdeps.start_missing(devdeps.urls(env, admins)):
            try:
                asyncio.run(_check_dependencies(env))
                return
            except DependencyMissing as again:
                failure = again
    print(f"make run: cannot start: {failure}", file=sys.stderr)
    raise SystemExit(1) from None


def prepare(env: dict[str, str]) -> None:
    """Create missing databases and migrate every installed service that has one."""
    _dependencies_ready(env)
    for service in installed_services():
        if not service.db_var:
            continue
        url = database_url(service, env)
        if asyncio.run(ensure_database(url)):
            print(f"devstack: created database for {service.name}", file=sys.stderr)
        migrate(alembic_ini(service), url)


def dev_secret(path: Path, prefix: str = "") -> str:
    """A per-checkout development secret, generated once, so restarts keep it."""
    if not path.exists():
        path.parent.mkdir(exist_ok=True)
        path.write_text(f"{prefix}{secrets.token_urlsafe(48)}")
        path.chmod(0o600)
    return path.read_text().strip()


def dev_keys(env: dict[str, str]) -> None:
    """Fill in the key rings left unset with this checkout's development keys, loudly."""
    for variable, path in (
        ("JWT_SECRET_KEYS", DEV_KEY_FILE),
        ("AUTH_TOTP_ENCRYPTION_KEYS", DEV_TOTP_KEY_FILE),
    ):
        if env.get(variable):
            continue
        env[variable] = dev_secret(path, "dev:")
        print(
            f"devstack: WARNING: {variable} is not set; using the development key in "
            f"{path.parent.name}/{path.name}. Never do this in production.",
            file=sys.stderr,
        )


class Stack:
    """The running processes of every installed service."""

    def __init__(self, env: dict[str, str], *, log_dir: Path | None = None) -> None:
        self.env = env
        self.log_dir = log_dir
        self.replicas = {r.name: r for r in replicas(env)}
        self.procs: dict[str, subprocess.Popen] = {}

    def start(self, timeout: float = 90) -> None:
        for name in self.replicas:
            self.spawn(name)
        for name in self.replicas:
            self.wait_ready(name, timeout)

    def spawn(self, name: str, **extra_env: str) -> subprocess.Popen:
        """Start (or start again) one replica by name: `tickets`, `tickets-2`, `gateway`;
        `extra_env` on top of the stack's (the fault suite arms failpoints with it)."""
        replica = self.replicas[name]
        out = None
        if self.log_dir:
            self.log_dir.mkdir(parents=True, exist_ok=True)
            out = open(self.log_dir / f"{name}.log", "ab")  # noqa: SIM115
        proc = subprocess.Popen(
            [sys.executable, "-m", replica.service.module],
            env={**replica_env(replica, self.env), **extra_env},
            stdout=out,
            stderr=out,
        )
        self.procs[name] = proc
        return proc

    def wait_ready(self, name: str, timeout: float) -> None:
        url = f"http://127.0.0.1:{self.replicas[name].port}/healthz"
        deadline = time.monotonic() + timeout
        while time.monotonic() < deadline:
            proc = self.procs[name]
            if proc.poll() is not None:
                raise RuntimeError(f"{name} exited with status {proc.returncode}")
            try:
                with urllib.request.urlopen(url, timeout=1) as resp:
                    if resp.status == 200:
                        return
            except OSError:
                time.sleep(0.1)
        raise RuntimeError(f"{name} did not answer {url} within {timeout}s")

    def stop(self, timeout: float = 10) -> None:
        for proc in self.procs.values():
            if proc.poll() is None:
                proc.send_signal(signal.SIGTERM)
        deadline = time.monotonic() + timeout
        for proc in self.procs.values():
            try:
                proc.wait(max(0.1, deadline - time.monotonic()))
            except subprocess.TimeoutExpired:
                proc.kill()
                proc.wait()

    def first_exit(self) -> tuple[str, int] | None:
        for name, proc in self.procs.items():
            if proc.poll() is not None:
                return name, proc.returncode
        return None


def run() -> int:
    env = dict(os.environ)
    try:
        replica_count(env)
    except ValueError as exc:
        print(f"make run: cannot start: {exc}", file=sys.stderr)
        return 2
    dev_keys(env)
    if not env.get("AI_ASSIST_API_KEYS"):
        env["AI_ASSIST_API_KEYS"] = dev_secret(DEV_AI_KEY_FILE)
    if not env.get("AUTH_API_KEYS"):
        env["AUTH_API_KEYS"] = dev_secret(DEV_AUTH_KEY_FILE)
    if not env.get("TICKETS_API_KEYS"):
        env["TICKETS_API_KEYS"] = dev_secret(DEV_TICKETS_KEY_FILE)
    prepare(env)
    stack = Stack(env)
    stopping = False

    def _stop(signum, _frame) -> None:
        nonlocal stopping
        stopping = True

    signal.signal(signal.SIGINT, _stop)
    signal.signal(signal.SIGTERM, _stop)
    try:
        stack.start()
        gateway = port(SERVICES[-1], env)
        names = ", ".join(stack.procs)
        print(
            f"devstack: running {names}; gateway on http://127.0.0.1:{gateway} "
            "(Ctrl-C stops everything)",
            file=sys.stderr,
        )
        while not stopping:
            exited = stack.first_exit()
            if exited:
                print(
                    f"devstack: {exited[0]} exited with status {exited[1]}; stopping all",
                    file=sys.stderr,
                )
                return 1
            time.sleep(0.3)
        return 0
    except RuntimeError as exc:
        print(f"devstack: {exc}; stopping all", file=sys.stderr)
        return 1
    finally:
        stack.stop()
        print("devstack: stopped", file=sys.stderr)


def main() -> None:
    command = sys.argv[1] if len(sys.argv) > 1 else "run"
    if command == "prepare":
        prepare(dict(os.environ))
        return
    if command == "run":
        raise SystemExit(run())
    print("usage: python -m servicedesk_devtools.devstack [run|prepare]", file=sys.stderr)
    raise SystemExit(2)


if __name__ == "__main__":
    main()
