"""CPU seconds per request of each process, and waiting for the event backlog to drain.

On a machine shared with other work, requests/s move with the neighbours; the CPU a
process spends per request barely does. `Meter.snapshot()` reads utime + stime of each
named process from /proc/<pid>/stat, plus every PostgreSQL backend connected to the
bench's databases (found through pg_stat_activity, summed as "postgres"); `Meter.cost()`
turns two snapshots into milliseconds of CPU per request, less what each process burns
when nobody calls it (`measure_idle`: the SLA scheduler, relays, consumers' polls), which
at a few requests per second would otherwise dominate. A backend that ends between the
two snapshots is not counted: a pool that opens and closes connections under load (its
overflow) hides part of PostgreSQL's CPU, so `Meter.pg()` adds, from pg_stat_database
(which counts ended sessions too), the sessions opened and the milliseconds backends spent
executing statements per request.
"""

from __future__ import annotations

import asyncio
import os
import subprocess
import time
from pathlib import Path

import asyncpg

CLK_TCK = os.sysconf("SC_CLK_TCK")


def cpu_seconds(pid: int) -> float:
    """utime + stime of `pid` (fields 14 and 15 of /proc/<pid>/stat), 0 when it is gone."""
    try:
        stat = Path(f"/proc/{pid}/stat").read_text()
    except OSError:
        return 0.0
    fields = stat.rpartition(")")[2].split()  # after the command name, which may hold spaces
    return (int(fields[11]) + int(fields[12])) / CLK_TCK


def plain(url: str) -> str:
    return url.replace("postgresql+asyncpg://", "postgresql://")


async def connect(dsn: str, patience: float = 180) -> asyncpg.Connection:
    """A connection, waiting for a free slot: the services' pools (and anything else on
    this PostgreSQL) may hold all of `max_connections` for a while."""
    deadline = time.monotonic() + patience
    while True:
        try:
            return await asyncpg.connect(dsn)
        except asyncpg.TooManyConnectionsError:
            if time.monotonic() > deadline:
                raise
            await asyncio.sleep(0.25)


class Meter:
    def __init__(self, pids: dict[str, int], database_urls: list[str]) -> None:
        self.pids = pids
        self.admin = plain(database_urls[0]).rsplit("/", 1)[0] + "/postgres"
        self.databases = [url.rsplit("/", 1)[1] for url in database_urls]
        self.idle: dict[str, float] = {}  # CPU seconds per second with no load

    async def _backends(self) -> tuple[list[int], list[float]]:
        conn = await connect(self.admin)
        try:
            rows = await conn.fetch(
                "SELECT pid FROM pg_stat_activity WHERE datname = ANY($1)", self.databases
            )
            totals = await conn.fetchrow(
                "SELECT sum(sessions)::float8, sum(active_time)::float8 FROM pg_stat_database"
                " WHERE datname = ANY($1)",
                self.databases,
            )
            return [row["pid"] for row in rows], list(totals)
        finally:
            await conn.close()

    def snapshot(self) -> dict[str, float | dict[int, float]]:
        shot: dict = {name: cpu_seconds(pid) for name, pid in self.pids.items()}
        shot["wall"] = time.monotonic()
        backends, shot["pg_stats"] = asyncio.run(self._backends())
        shot["postgres"] = {pid: cpu_seconds(pid) for pid in backends}
        return shot

    @staticmethod
    def pg(before: dict, after: dict, requests: float) -> dict[str, float]:
        """Sessions opened and ms spent executing statements, per request (all backends of
        the bench's databases, ended ones included)."""
        (s0, a0), (s1, a1) = before["pg_stats"], after["pg_stats"]
        n = max(requests, 1)
        return {
            "sessions_per_request": round((s1 - s0) / n, 4),
            "active_ms_per_request": round((a1 - a0) / n, 3),
        }

    def _used(self, before: dict, after: dict) -> dict[str, float]:
        used = {name: after[name] - before[name] for name in self.pids}
        used["postgres"] = sum(
            cpu - before["postgres"].get(pid, 0.0) for pid, cpu in after["postgres"].items()
        )
        return used

    def measure_idle(self, seconds: float) -> dict[str, float]:
        """Each process's CPU seconds per second while nothing calls it."""
        before = self.snapshot()
        time.sleep(seconds)
        after = self.snapshot()
        wall = after["wall"] - before["wall"]
        self.idle = {k: v / wall for k, v in self._used(before, after).items()}
        return self.idle

    def cost(self, before: dict, after: dict, requests: float) -> dict[str, float]:
        """Milliseconds of CPU per request, per process (and the PostgreSQL backends), less
        the idle rate over the same time (never below zero)."""
        wall = after["wall"] - before["wall"]
        used = self._used(before, after)
        net = {k: max(0.0, v - self.idle.get(k, 0.0) * wall) for k, v in used.items()}
        return {k: round(v * 1000 / max(requests, 1), 3) for k, v in net.items()}


def _queued(vhost: str) -> int:
    out = subprocess.run(
        ["rabbitmqctl", "-q", "list_queues", "-p", vhost, "messages"],
        capture_output=True,
        text=True,
        timeout=60,
        check=True,
    ).stdout
    return sum(int(word) for word in out.split() if word.isdigit())


async def _drained(env: dict[str, str], timeout: float) -> float:
    began = time.monotonic()
    # One connection for the whole wait: a connection per poll would be counted in the
    # run's `sessions_per_request`.
    conn = await connect(plain(env["TICKETS_DATABASE_URL"]))
    try:
        while time.monotonic() - began < timeout:
            pending = "SELECT count(*) FROM outbox WHERE published_at IS NULL"
            if not await conn.fetchval(pending) and not _queued(env["BENCH_VHOST"]):
                return time.monotonic() - began
            await asyncio.sleep(0.5)
    finally:
        await conn.close()
    print(f"  (backlog still there after {timeout:.0f}s)", flush=True)
    return time.monotonic() - began


def drain(env: dict[str, str], timeout: float = 180) -> float:
    """Wait until the tickets outbox is published and the vhost's queues are empty (the
    consumers have caught up); returns the seconds waited."""
    return asyncio.run(_drained(env, timeout))
