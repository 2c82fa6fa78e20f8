"""Benchmark of the tickets service (issue 3), through the gateway, on its own stack.

    .venv/bin/python bench/tickets.py [--seconds 10] [--seed 50000] [--export-rows 100000]
                                     [--skip-creates]

Starts a throw-away stack the way bench/backbone.py does (own databases, Redis prefix,
free ports, rate limits raised so the limiter still runs but never says no), bulk-inserts
`--seed` tickets straight into PostgreSQL, then measures through the gateway:

- ticket creation at full speed (wrk, 32 connections): creates/s and p99;
- ticket creation at fixed 100/s and 200/s (open-loop asyncio + aiohttp generator; latency from
  each request's *scheduled* time, so a stall is not hidden by coordinated omission);
- `GET /api/tickets?limit=50` as an agent of TTS, at fixed 25/s and 50/s and with wrk;
- the CSV export of `--export-rows` rows as a global admin: rows/s and the tickets
  process's peak RSS growth (/proc/<pid>/status VmHWM, reset through clear_refs).

Tokens are minted with the stack's signing key (the gateway verifies them like any other).
Prints a Markdown-ready report and writes bench/results/tickets-<time>.json.
"""

from __future__ import annotations

import argparse
import asyncio
import json
import os
import platform
import subprocess
import sys
import tempfile
import time
import uuid
from collections import Counter
from pathlib import Path

import aiohttp
import asyncpg

from servicedesk_devtools import devstack
from servicedesk_devtools.testing import make_access_token
from servicedesk_shared import tokens

sys.path.insert(0, str(Path(__file__).parent))
import wrk
from backbone import _cleanup, bench_env

HERE = Path(__file__).parent
ROOT = HERE.parent
CREATE_BODY = {"title": "Bench: VPN drops", "description": "Created by the benchmark"}
CREATE_LUA = f"""wrk.method = "POST"
wrk.headers["Content-Type"] = "application/json"
wrk.body = '{json.dumps(CREATE_BODY)}'
"""
SEED_SQL = """
INSERT INTO tickets (title, description, status, priority, system, requester_id,
                     created_at, updated_at)
SELECT 'Seeded ticket ' || g, 'Printer ' || g || ' on floor ' || (g % 7) || ' jams again',
       (ARRAY['open','in_progress','waiting','resolved','closed'])[1 + g % 5],
       (ARRAY['low','medium','high','urgent'])[1 + g % 4],
       CASE WHEN g % 2 = 0 THEN 'TTS' ELSE 'HDTS' END,
       'seed-user-' || (g % 500),
       now() - make_interval(secs => g), now() - make_interval(secs => g)
FROM generate_series($1::int, $2::int) AS g
"""


def token(env: dict[str, str], sub: str | None = None, **claims) -> str:
    """An hour's access token for `sub` (a new user id when not given)."""
    settings = tokens.TokenSettings(
        tokens.KeyRing.from_string(env["JWT_SECRET_KEYS"]), "servicedesk-auth", "servicedesk"
    )
    return make_access_token(settings, sub or str(uuid.uuid4()), ttl=3600, **claims)


async def seed(url: str, start: int, count: int) -> float:
    """Insert `count` tickets with plain SQL; returns seconds taken."""
    dsn = url.replace("postgresql+asyncpg://", "postgresql://")
    conn = await asyncpg.connect(dsn)
    try:
        began = time.perf_counter()
        await conn.execute(SEED_SQL, start, start + count - 1)
        await conn.execute("VACUUM ANALYZE tickets")  # what autovacuum does after a bulk load
        return time.perf_counter() - began
    finally:
        await conn.close()


def create_at_full_speed(gateway: str, headers: dict, seconds: int) -> wrk.Result:
    with tempfile.NamedTemporaryFile("w", suffix=".lua", delete=False) as script:
        script.write(CREATE_LUA)
    cmd = ["wrk", "-t2", "-c32", f"-d{seconds}s", "--latency", "-s", script.name]
    for name, value in headers.items():
        cmd += ["-H", f"{name}: {value}"]
    out = subprocess.run([*cmd, f"{gateway}/api/tickets"], capture_output=True, text=True)
    os.unlink(script.name)
    return wrk.parse(out.stdout)


def percentile(values: list[float], p: float) -> float:
    ordered = sorted(values)
    return ordered[min(len(ordered) - 1, int(len(ordered) * p))]


async def fixed_rate(
    method: str, url: str, *, rate: int, seconds: int, headers: dict, body: dict | None = None
) -> dict:
    """Open-loop load: request i is due at start + i/rate, latency counts from then."""
    loop = asyncio.get_running_loop()
    latencies: list[float] = []
    statuses: Counter[int] = Counter()

    async def one(session: aiohttp.ClientSession, due: float) -> None:
        async with session.request(method, url, json=body, headers=headers) as resp:
            await resp.read()
            statuses[resp.status] += 1
        latencies.append((loop.time() - due) * 1000)

    async with aiohttp.ClientSession(connector=aiohttp.TCPConnector(limit=256)) as session:
        start, tasks = loop.time() + 0.1, []
        for i in range(rate * seconds):
            due = start + i / rate
            await asyncio.sleep(max(0.0, due - loop.time()))
            tasks.append(asyncio.create_task(one(session, due)))
        await asyncio.gather(*tasks)
    errors = sum(n for status, n in statuses.items() if status >= 400)
    return {
        "rate": rate,
        "requests": len(latencies),
        "errors": errors,
        "statuses": dict(sorted(statuses.items())),
        "p50_ms": percentile(latencies, 0.50),
        "p99_ms": percentile(latencies, 0.99),
        "max_ms": max(latencies),
    }


def memory(pid: int) -> dict[str, int]:
    """VmRSS and VmHWM of `pid`, in KiB."""
    fields = {}
    for line in Path(f"/proc/{pid}/status").read_text().splitlines():
        key, _, value = line.partition(":")
        if key in ("VmRSS", "VmHWM"):
            fields[key] = int(value.split()[0])
    return fields


async def download_lines(url: str, headers: dict) -> int:
    lines = 0
    timeout = aiohttp.ClientTimeout(total=600)
    async with (
        aiohttp.ClientSession(timeout=timeout) as session,
        session.get(url, headers=headers) as resp,
    ):
        assert resp.status == 200, resp.status
        async for chunk in resp.content.iter_chunked(1 << 16):
            lines += chunk.count(b"\r\n")
    return lines


def export(gateway: str, headers: dict, pid: int) -> dict:
    """Stream the whole export; rows/s and the tickets process's peak RSS growth."""
    Path(f"/proc/{pid}/clear_refs").write_text("5")  # reset VmHWM to the current RSS
    before = memory(pid)
    began = time.perf_counter()
    lines = asyncio.run(download_lines(f"{gateway}/api/export/tickets", headers))
    seconds = time.perf_counter() - began
    after = memory(pid)
    rows = lines - 1
    return {
        "rows": rows,
        "seconds": seconds,
        "rows_per_s": rows / seconds,
        "rss_before_kib": before["VmRSS"],
        "peak_rss_kib": after["VmHWM"],
        "peak_growth_mib": (after["VmHWM"] - before["VmRSS"]) / 1024,
    }


def sla_backfill(env: dict[str, str]) -> float:
    """Seeded rows bypass the service, so they have no stored SLA clocks: store them as an
    upgraded installation does (`python -m servicedesk_tickets.sla.backfill`); without it
    the list derives each such ticket's clocks from its history on every request."""
    began = time.perf_counter()
    subprocess.run(
        [sys.executable, "-m", "servicedesk_tickets.sla.backfill"],
        env=env,
        check=True,
        capture_output=True,
    )
    return time.perf_counter() - began


def creates(gateway: str, user: dict, seconds: int) -> dict:
    """Creates at full speed, then at 100/s and 200/s (their events keep the consumers busy
    for a while after: the list and export figures that follow pay for that backlog)."""
    report: dict = {}
    create = create_at_full_speed(gateway, user, seconds)
    report["create_full_speed"] = vars(create)
    print(
        f"create, wrk c=32: {create.rps:.0f}/s p50 {create.p50_ms:.1f} ms "
        f"p99 {create.p99_ms:.1f} ms non-2xx {create.non_2xx}",
        flush=True,
    )
    for rate in (100, 200):
        report[f"create_at_{rate}"] = asyncio.run(
            fixed_rate(
                "POST",
                f"{gateway}/api/tickets",
                rate=rate,
                seconds=seconds * 2,
                headers=user,
                body=CREATE_BODY,
            )
        )
        print(f"create at {rate}/s: {report[f'create_at_{rate}']}", flush=True)
    return report


def run(env: dict[str, str], stack: devstack.Stack, args: argparse.Namespace) -> dict:
    gateway = f"http://127.0.0.1:{env['GATEWAY_PORT']}"
    db = env["TICKETS_DATABASE_URL"]
    user = {"Authorization": f"Bearer {token(env)}"}
    agent = {"Authorization": f"Bearer {token(env, systems={'TTS': 'agent'})}"}
    admin = {"Authorization": f"Bearer {token(env, is_admin=True)}"}
    report: dict = {"seed_seconds": asyncio.run(seed(db, 1, args.seed))}
    print(f"seeded {args.seed} tickets in {report['seed_seconds']:.1f}s", flush=True)
    report["sla_backfill_seconds"] = sla_backfill(env)
    print(f"SLA clocks stored in {report['sla_backfill_seconds']:.1f}s", flush=True)
    if not args.skip_creates:
        report.update(creates(gateway, user, args.seconds))
    for rate in (25, 50):
        report[f"list_at_{rate}"] = asyncio.run(
            fixed_rate(
                "GET",
                f"{gateway}/api/tickets?limit=50",
                rate=rate,
                seconds=args.seconds * 2,
                headers=agent,
            )
        )
        print(f"list (agent, limit=50) at {rate}/s: {report[f'list_at_{rate}']}", flush=True)
    listing = wrk.run(
        f"{gateway}/api/tickets?limit=50", connections=8, seconds=args.seconds, headers=agent
    )
    report["list_wrk_c8"] = vars(listing)
    print(f"list, wrk c=8: {listing.row()}", flush=True)
    total = asyncio.run(count(db))
    if total < args.export_rows:
        asyncio.run(seed(db, args.seed + 1, args.export_rows - total))
    report["export"] = export(gateway, admin, stack.procs["tickets"].pid)
    print(f"export: {report['export']}", flush=True)
    return report


async def count(url: str) -> int:
    conn = await asyncpg.connect(url.replace("postgresql+asyncpg://", "postgresql://"))
    try:
        return await conn.fetchval("SELECT count(*) FROM tickets")
    finally:
        await conn.close()


def main() -> None:
    parser = argparse.ArgumentParser()
    parser.add_argument("--seconds", type=int, default=10)
    parser.add_argument("--seed", type=int, default=50_000)
    parser.add_argument("--export-rows", type=int, default=100_000)
    parser.add_argument(
        "--skip-creates",
        action="store_true",
        help="list and export on a quiet stack (no create backlog)",
    )
    args = parser.parse_args()
    env = bench_env()
    devstack.prepare(env)
    stack = devstack.Stack(env, log_dir=ROOT / ".devstack" / "bench-logs")
    try:
        stack.start()
        report = run(env, stack, args)
        report["machine"] = {
            "cpus": os.cpu_count(),
            "platform": platform.platform(),
            "python": platform.python_version(),
        }
        out = HERE / "results" / f"tickets-{time.strftime('%Y%m%dT%H%M%S')}.json"
        out.parent.mkdir(exist_ok=True)
        out.write_text(json.dumps(report, indent=2))
        print(f"written to {out}")
    finally:
        stack.stop()
        asyncio.run(_cleanup(env))


if __name__ == "__main__":
    main()
