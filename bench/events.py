"""Benchmark of the event backbone (issue 4) on its own stack.

    .venv/bin/python bench/events.py [--rate 200] [--seconds 60] [--relay-events 20000]

1. Relay throughput: `--relay-events` rows committed at once into the tickets outbox (a
   type nobody subscribes to, so only the relay works); events/s from the commit until
   the last row is marked published — i.e. confirmed by the broker.
2. Commit → notification latency: at `--rate` per second for `--seconds`, one transaction
   each commits a `ticket.status_changed` outbox row (what a transition writes); the
   relay publishes it, the notifications consumer writes the requester's
   notification. Latency = notification `created_at` - event `occurred_at` (set just
   before the commit, so slightly pessimistic). Both clocks are this machine's.
   The row's `created_at` is taken in the handler, before its transaction commits; the
   benchmark also polls the notifications table every `POLL` seconds and reports when
   each row was first *seen* (committed), which counts the commit too (a consumer that
   commits several deliveries at once makes the two differ), pessimistic by up to `POLL`.
3. CPU per event: the user + system CPU time (/proc/<pid>/stat) the tickets process (the
   relay) and the notifications process (the consumer) spent during the paced phase,
   divided by its events, plus that of the PostgreSQL backends serving their databases.
   Robust to a noisy machine, unlike the latency. And the transactions committed per
   event in each database (`pg_stat_database.xact_commit`, less the benchmark's own
   polls): a count, not a time, so it does not move with the machine's load.

The rows are written from this process, outside the tickets service, so they wake its
relay as any outside writer does, with a NOTIFY in their transaction (`WAKE_SQL`): a
transition inside the service wakes its relay in-process instead (no NOTIFY, and none of
the cluster-wide lock a NOTIFY takes at commit), so these figures are, if anything,
pessimistic for the relay's side.
"""

from __future__ import annotations

import argparse
import asyncio
import json
import os
import re
import sys
import time
import urllib.request
import uuid
from datetime import UTC, datetime
from pathlib import Path

import asyncpg
import orjson

from servicedesk_devtools import devstack
from servicedesk_shared.messaging.envelope import new_event
from servicedesk_shared.messaging.relay import CHANNEL, WAKE_SQL

sys.path.insert(0, str(Path(__file__).parent))
from backbone import _cleanup, bench_env

HERE = Path(__file__).parent
ROOT = HERE.parent
POLL = 0.005
# Rows of other transactions may commit after a row with a higher id (a sequence is not a
# commit order): each poll looks this many ids back from the highest it has seen.
POLL_MARGIN = 256
TICKS = os.sysconf("SC_CLK_TCK")
INSERT = "INSERT INTO outbox (id, type, payload, occurred_at) VALUES ($1, $2, $3::jsonb, $4)"
# One statement, one commit: the row and the relay's wake-up (as an outside writer's).
INSERT_AND_WAKE = (
    f"WITH written AS ({INSERT} RETURNING id) SELECT pg_notify('{CHANNEL}', '') FROM written"  # noqa: S608 - constants
)


def dsn(env: dict, var: str) -> str:
    return env[var].replace("postgresql+asyncpg://", "postgresql://")


def status_changed(n: int, requester: str) -> dict:
    now = datetime.now(UTC)
    ticket = {
        "id": n,
        "title": f"Bench ticket {n}",
        "status": "in_progress",
        "priority": "medium",
        "system": "TTS",
        "requester_id": requester,
        "created_at": now.isoformat(),
        "updated_at": now.isoformat(),
    }
    data = {"ticket": ticket, "from": "open", "to": "in_progress", "changed_by": "bench-agent"}
    return new_event(
        "ticket.status_changed",
        data,
        producer="tickets",
        correlation_id=f"bench-{n}",
        occurred_at=now,
    )


async def relay_throughput(tickets: asyncpg.Connection, count: int) -> dict:
    rows = []
    for _ in range(count):
        event = new_event("bench.relay", {"n": 1}, producer="tickets", correlation_id="b")
        rows.append(
            (
                uuid.UUID(event["id"]),
                event["type"],
                orjson.dumps(event).decode(),
                datetime.fromisoformat(event["occurred_at"]),
            )
        )
    async with tickets.transaction():
        await tickets.executemany(INSERT, rows)
        await tickets.execute(WAKE_SQL)
    start = time.perf_counter()
    pending = "SELECT count(*) FROM outbox WHERE type = 'bench.relay' AND published_at IS NULL"
    while await tickets.fetchval(pending):  # noqa: ASYNC110 - polling another process's work
        await asyncio.sleep(0.05)
    elapsed = time.perf_counter() - start
    return {"events": count, "seconds": round(elapsed, 2), "events_per_s": round(count / elapsed)}


async def paced_commits(tickets: asyncpg.Connection, rate: int, seconds: int) -> list[str]:
    requester, ids = str(uuid.uuid4()), []
    start, total = time.perf_counter(), rate * seconds
    for n in range(total):
        delay = start + n / rate - time.perf_counter()
        if delay > 0:
            await asyncio.sleep(delay)
        event = status_changed(n + 1, requester)
        await tickets.execute(
            INSERT_AND_WAKE,
            uuid.UUID(event["id"]),
            event["type"],
            orjson.dumps(event).decode(),
            datetime.fromisoformat(event["occurred_at"]),
        )
        ids.append(event["id"])
    return ids


async def latencies(
    notifications: asyncpg.Connection, tickets: asyncpg.Connection, ids: list[str]
) -> list[float]:
    wanted = [uuid.UUID(i) for i in ids]
    deadline = time.monotonic() + 60
    while time.monotonic() < deadline:
        done = await notifications.fetchval(
            "SELECT count(*) FROM notifications WHERE event_id = ANY($1)", wanted
        )
        if done == len(wanted):
            break
        await asyncio.sleep(0.2)
    made = dict(
        await notifications.fetch(
            "SELECT event_id, created_at FROM notifications WHERE event_id = ANY($1)", wanted
        )
    )
    occurred = dict(
        await tickets.fetch("SELECT id, occurred_at FROM outbox WHERE id = ANY($1)", wanted)
    )
    return [(made[i] - occurred[i]).total_seconds() * 1000 for i in wanted if i in made]


async def watch(
    notifications: asyncpg.Connection, seen: dict, stop: asyncio.Event, polls: list
) -> None:
    """Record when each notification row is first visible (its transaction committed)."""
    top = await notifications.fetchval("SELECT coalesce(max(id), 0) FROM notifications")
    while not stop.is_set():
        polls.append(1)
        rows = await notifications.fetch(
            "SELECT id, event_id FROM notifications WHERE id > $1", top - POLL_MARGIN
        )
        now = datetime.now(UTC)
        for row in rows:
            seen.setdefault(row["event_id"], now)
            top = max(top, row["id"])
        await asyncio.sleep(POLL)


def cpu_seconds(pid: int) -> float:
    """User + system CPU time of a process so far (0 if it is gone)."""
    try:
        fields = Path(f"/proc/{pid}/stat").read_text().rsplit(")", 1)[1].split()
    except OSError:
        return 0.0
    return (int(fields[11]) + int(fields[12])) / TICKS


async def backends(conn: asyncpg.Connection, databases: list[str]) -> list[int]:
    query = "SELECT pid FROM pg_stat_activity WHERE datname = ANY($1) AND pid <> pg_backend_pid()"
    return [row["pid"] for row in await conn.fetch(query, databases)]


def mean_group(env: dict) -> float | None:
    """Deliveries per consumer transaction (None: the consumer commits each on its own)."""
    url = f"http://127.0.0.1:{env['NOTIFICATIONS_PORT']}/metrics"
    with urllib.request.urlopen(url, timeout=5) as resp:
        text = resp.read().decode()
    found = dict(re.findall(r"^events_consumer_group_size_(sum|count)\{[^}]*\} (\S+)$", text, re.M))
    return round(float(found["sum"]) / float(found["count"]), 2) if found.get("count") else None


async def commits(conn: asyncpg.Connection, databases: list[str]) -> list[int]:
    await asyncio.sleep(1.5)  # backends report their counts at most once a second
    query = "SELECT xact_commit FROM pg_stat_database WHERE datname = $1"
    return [await conn.fetchval(query, database) for database in databases]


def percentile(values: list[float], p: float) -> float:
    return round(values[min(len(values) - 1, int(len(values) * p))], 2)


def summary(values: list[float]) -> dict:
    ordered = sorted(values)
    return {
        "p50_ms": percentile(ordered, 0.50),
        "p99_ms": percentile(ordered, 0.99),
        "max_ms": round(ordered[-1], 2),
    }


async def measure(env: dict, args, pids: dict[str, int]) -> dict:
    tickets = await asyncpg.connect(dsn(env, "TICKETS_DATABASE_URL"))
    notifications = await asyncpg.connect(dsn(env, "NOTIFICATIONS_DATABASE_URL"))
    poller = await asyncpg.connect(dsn(env, "NOTIFICATIONS_DATABASE_URL"))
    try:
        relay = await relay_throughput(tickets, args.relay_events)
        print(f"relay: {relay}", flush=True)
        databases = [await c.fetchval("SELECT current_database()") for c in (tickets, poller)]
        pids = {**pids, "postgres": 0}
        committed = await commits(tickets, databases)
        servers = await backends(tickets, databases)
        before = {name: cpu_seconds(pid) for name, pid in pids.items() if pid}
        before["postgres"] = sum(cpu_seconds(pid) for pid in servers)
        seen: dict = {}
        stop, polls = asyncio.Event(), []
        watcher = asyncio.create_task(watch(poller, seen, stop, polls))
        ids = await paced_commits(tickets, args.rate, args.seconds)
        in_order = await latencies(notifications, tickets, ids)
        stop.set()
        await watcher
        after = {name: cpu_seconds(pid) for name, pid in pids.items() if pid}
        after["postgres"] = sum(cpu_seconds(pid) for pid in servers)
        committed = [
            b - a for a, b in zip(committed, await commits(tickets, databases), strict=True)
        ]
        committed[0] -= len(ids)  # the paced commits themselves
        committed[1] -= len(polls)
        occurred = dict(
            await tickets.fetch(
                "SELECT id, occurred_at FROM outbox WHERE id = ANY($1)", [uuid.UUID(i) for i in ids]
            )
        )
        visible = [
            (at - occurred[i]).total_seconds() * 1000 for i, at in seen.items() if i in occurred
        ]
        per_second = [
            round(max(in_order[k : k + args.rate]), 1) for k in range(0, len(in_order), args.rate)
        ]
        print(f"worst latency in each second (ms): {per_second}", flush=True)
    finally:
        await tickets.close()
        await notifications.close()
        await poller.close()
    return {
        "relay": relay,
        "latency": {
            "rate_per_s": args.rate,
            "seconds": args.seconds,
            "events": len(ids),
            "notified": len(in_order),
            **summary(in_order),
            "seen": {"poll_ms": POLL * 1000, "rows": len(visible), **summary(visible)},
        },
        "cpu_ms_per_event": {
            name: round((after[name] - before[name]) * 1000 / len(ids), 3) for name in after
        },
        "servers": len(servers),
        "commits_per_event": {
            "tickets": round(committed[0] / len(ids), 3),
            "notifications": round(committed[1] / len(ids), 3),
        },
        "mean_group": mean_group(env),
    }


def main() -> None:
    parser = argparse.ArgumentParser()
    parser.add_argument("--rate", type=int, default=200)
    parser.add_argument("--seconds", type=int, default=60)
    parser.add_argument("--relay-events", type=int, default=20000)
    args = parser.parse_args()
    env = bench_env()
    env["LOG_LEVEL"] = "WARNING"
    devstack.prepare(env)
    stack = devstack.Stack(env, log_dir=ROOT / ".devstack" / "bench-logs")
    try:
        stack.start()
        pids = {name: proc.pid for name, proc in stack.procs.items()}
        wanted = {"tickets": pids["tickets"], "notifications": pids["notifications"]}
        report = asyncio.run(measure(env, args, wanted))
        print(json.dumps(report, indent=2))
        out = HERE / "results" / f"events-{time.strftime('%Y%m%dT%H%M%S')}.json"
        out.parent.mkdir(exist_ok=True)
        out.write_text(json.dumps(report, indent=2))
    finally:
        stack.stop()
        asyncio.run(_cleanup(env))


if __name__ == "__main__":
    main()
