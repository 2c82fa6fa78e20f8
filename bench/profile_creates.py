"""Where a create's time goes: py-spy on each service while wrk files tickets at full speed.

    .venv/bin/python bench/profile_creates.py [--seconds 20] [--out /tmp/profile]

Starts a throw-away stack the way bench/backbone.py does, files tickets through the gateway
at full speed (bench/tickets.py's wrk script), and meanwhile:

- records each service with py-spy (`uvx py-spy`, raw folded stacks, idle frames left out)
  into `<out>/<service>.txt`; `--flamegraph` writes SVGs instead;
- samples `pg_stat_activity` every 5 ms: the active backends' statements and wait events,
  printed as shares of the samples (what PostgreSQL is doing, or waiting on, per statement).

Prints the creates/s and each profile's top frames by self time. Not a figure for
docs/performance.md (py-spy itself costs CPU): use bench/cost.py for those.
"""

from __future__ import annotations

import argparse
import asyncio
import collections
import shutil
import subprocess
import sys
import time
from concurrent.futures import ThreadPoolExecutor
from pathlib import Path

import asyncpg

from servicedesk_devtools import devstack

sys.path.insert(0, str(Path(__file__).parent))
from backbone import _cleanup, bench_env
from tickets import create_at_full_speed, token

ROOT = Path(__file__).parent.parent


def py_spy() -> list[str]:
    uvx = shutil.which("uvx") or str(ROOT / ".devstack" / "uv" / "bin" / "uvx")
    return [uvx, "py-spy"]


async def sample_postgres(url: str, seconds: float) -> collections.Counter:
    """(database: statement's first 60 characters, wait) of each active backend, every 5 ms."""
    conn = await asyncpg.connect(url.replace("postgresql+asyncpg://", "postgresql://"))
    seen: collections.Counter = collections.Counter()
    try:
        end = time.monotonic() + seconds
        while time.monotonic() < end:
            rows = await conn.fetch(
                "SELECT datname || ': ' || left(regexp_replace(query, '\\s+', ' ', 'g'), 60) AS q,"
                " coalesce(wait_event_type || ':' || wait_event, 'CPU') AS w"
                " FROM pg_stat_activity WHERE state = 'active' AND pid <> pg_backend_pid()"
                " AND backend_type = 'client backend'"
            )
            seen.update((row["q"], row["w"]) for row in rows)
            await asyncio.sleep(0.005)
    finally:
        await conn.close()
    return seen


async def triage_statuses(url: str) -> dict[str, int]:
    """How many tickets' triages are in each status: that the consumer kept up, and how."""
    conn = await asyncpg.connect(url.replace("postgresql+asyncpg://", "postgresql://"))
    try:
        rows = await conn.fetch("SELECT status, count(*) AS n FROM ai_triage GROUP BY status")
        return {row["status"]: row["n"] for row in rows}
    finally:
        await conn.close()


def settled(url: str, within: float = 60) -> dict[str, int]:
    """The triages' statuses once the backlog is through (none pending, or `within` s)."""
    end = time.monotonic() + within
    while True:
        statuses = asyncio.run(triage_statuses(url))
        if not statuses.get("pending") or time.monotonic() > end:
            return statuses
        time.sleep(1)


def top_self(path: Path, count: int = 12) -> list[tuple[float, str]]:
    """The frames with the most self time in a py-spy raw profile, as shares."""
    own: collections.Counter = collections.Counter()
    for line in path.read_text().splitlines():
        stack, _, samples = line.rpartition(" ")
        own[stack.rsplit(";", 1)[-1]] += int(samples)
    total = sum(own.values()) or 1
    return [(n / total, frame) for frame, n in own.most_common(count)]


def main() -> None:
    parser = argparse.ArgumentParser()
    parser.add_argument("--seconds", type=int, default=20)
    parser.add_argument("--out", type=Path, default=Path("/tmp/profile"))
    parser.add_argument("--flamegraph", action="store_true")
    args = parser.parse_args()
    args.out.mkdir(parents=True, exist_ok=True)
    env = bench_env()
    devstack.prepare(env)
    stack = devstack.Stack(env, log_dir=ROOT / ".devstack" / "bench-logs")
    spies: dict[str, subprocess.Popen] = {}
    try:
        stack.start()
        gateway = f"http://127.0.0.1:{env['GATEWAY_PORT']}"
        headers = {"Authorization": f"Bearer {token(env)}"}
        create_at_full_speed(gateway, headers, 3)  # warm-up: caches, prepared statements
        kind = ("-f", "flamegraph", "--nonblocking") if args.flamegraph else ("-f", "raw")
        suffix = "svg" if args.flamegraph else "txt"
        for name, proc in stack.procs.items():
            out = args.out / f"{name}.{suffix}"
            cmd = [*py_spy(), "record", "-p", str(proc.pid), "-d", str(args.seconds), *kind]
            spies[name] = subprocess.Popen([*cmd, "-o", str(out)], stdout=subprocess.DEVNULL)
        time.sleep(1)
        with ThreadPoolExecutor(1) as pool:
            probe = sample_postgres(env["TICKETS_DATABASE_URL"], args.seconds - 2)
            waits = pool.submit(asyncio.run, probe)
            result = create_at_full_speed(gateway, headers, args.seconds - 2)
            seen = waits.result()
        for spy in spies.values():
            spy.wait(60)
        print(f"creates/s {result.rps:.0f}  p50 {result.p50_ms} ms  p99 {result.p99_ms} ms")
        print("triages:", settled(env["TICKETS_DATABASE_URL"]))
        total = sum(seen.values()) or 1
        print("\nPostgreSQL, the active backends' samples:")
        for (query, wait), n in seen.most_common(15):
            print(f"  {n / total:6.1%}  {wait:<22} {query}")
        if not args.flamegraph:
            for name in spies:
                print(f"\n{name}: top self time")
                for share, frame in top_self(args.out / f"{name}.txt"):
                    print(f"  {share:6.1%}  {frame[:110]}")
        print(f"\nprofiles in {args.out}")
    finally:
        for spy in spies.values():
            if spy.poll() is None:
                spy.terminate()
        stack.stop()
        asyncio.run(_cleanup(env))


if __name__ == "__main__":
    main()
