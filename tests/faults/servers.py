"""The machine's PostgreSQL, Redis and RabbitMQ, stopped, killed and started again.

The commands are the machine's own (the ones that started each server before the session,
/work/.library/env): a fault test owns these servers while it runs, and whatever happens
in it, `ensure_up()` (called in `finally` and at the suite's end) leaves all three running.
"""

from __future__ import annotations

import contextlib
import os
import shlex
import signal
import socket
import subprocess
import time
from pathlib import Path

REDIS_START = (
    'redis-server --daemonize yes --bind 127.0.0.1 -::1 --port 6379 --save "" '
    "--appendonly no --dir /var/lib/redis --logfile /var/log/redis/ci.log"
)


def _run(*cmd: str, timeout: float = 120, check: bool = True) -> subprocess.CompletedProcess:
    return subprocess.run(list(cmd), check=check, capture_output=True, timeout=timeout)


def listening(port: int) -> bool:
    with socket.socket() as sock:
        sock.settimeout(0.5)
        return sock.connect_ex(("127.0.0.1", port)) == 0


def wait_port(port: int, up: bool, timeout: float = 60) -> None:
    deadline = time.monotonic() + timeout
    while listening(port) != up:
        if time.monotonic() > deadline:
            raise TimeoutError(f"port {port} still {'closed' if up else 'open'} after {timeout}s")
        time.sleep(0.1)


# --- PostgreSQL ---------------------------------------------------------------------------


def _pg_version() -> str:
    return sorted(os.listdir("/etc/postgresql"))[-1]


def postgres_restart() -> None:
    """`pg_ctlcluster … restart` (fast: every connection is cut)."""
    _run("pg_ctlcluster", "--skip-systemctl-redirect", _pg_version(), "main", "restart")
    wait_port(5432, up=True)


def postgres_stop() -> None:
    _run("pg_ctlcluster", "--skip-systemctl-redirect", _pg_version(), "main", "stop")
    wait_port(5432, up=False)


def postgres_start() -> None:
    if not listening(5432):
        _run("pg_ctlcluster", "--skip-systemctl-redirect", _pg_version(), "main", "start")
        wait_port(5432, up=True)


# --- Redis --------------------------------------------------------------------------------


def redis_stop() -> None:
    """Shut Redis down without saving: it keeps nothing on disk, so it comes back empty."""
    _run("redis-cli", "-p", "6379", "shutdown", "nosave", check=False)
    wait_port(6379, up=False)


def redis_start() -> None:
    if not listening(6379):
        _run(*shlex.split(REDIS_START))
        wait_port(6379, up=True)


# --- RabbitMQ -----------------------------------------------------------------------------


def rabbitmqctl(*args: str, timeout: float = 120) -> None:
    _run("rabbitmqctl", "-q", *args, timeout=timeout)


def rabbitmq_stop_app() -> None:
    rabbitmqctl("stop_app")


def rabbitmq_kill() -> None:
    """SIGKILL the broker's Erlang VM (`beam.smp`): no clean shutdown of anything."""
    for pid in _pids("beam.smp"):
        with contextlib.suppress(ProcessLookupError):
            os.kill(pid, signal.SIGKILL)
    wait_port(5672, up=False)


def rabbitmq_start() -> None:
    """The server started if its node is gone, else the app if only it was stopped."""
    if not _node_running():
        _run("rabbitmq-server", "-detached")
        _await_node()
    if not listening(5672):
        rabbitmqctl("start_app")
    wait_port(5672, up=True)


def _node_running() -> bool:
    """The broker's Erlang node answers (its app may be stopped)."""
    ping = ("rabbitmq-diagnostics", "-q", "ping", "--timeout", "5")
    return _run(*ping, check=False, timeout=30).returncode == 0


def _await_node(timeout: float = 120) -> None:
    """`await_startup` fails at once while the new node is not reachable yet: ask again."""
    deadline = time.monotonic() + timeout
    while True:
        done = _run("rabbitmqctl", "-q", "await_startup", "--timeout", "10", check=False)
        if done.returncode == 0:
            return
        if time.monotonic() > deadline:
            raise TimeoutError(f"RabbitMQ not started after {timeout}s: {done.stderr!r}")
        time.sleep(0.5)


def _pids(name: str) -> list[int]:
    found = []
    for entry in Path("/proc").iterdir():
        if entry.name.isdigit():
            with contextlib.suppress(OSError):
                state = (entry / "stat").read_text().rsplit(")", 1)[1].split()[0]
                if (entry / "comm").read_text().strip() == name and state != "Z":
                    found.append(int(entry.name))
    return found


def ensure_up() -> None:
    """All three running again, whatever a test did to them."""
    postgres_start()
    redis_start()
    rabbitmq_start()
