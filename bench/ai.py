"""Benchmark of AI assist (issue 5), on its own stack with the stand-in Ollama.

    .venv/bin/python bench/ai.py [--requests 400] [--tickets 100]

1. Suggest latency overhead over the model's own time, the stand-in answering at once:
   the same chat request straight to the stand-in (the model's own time), then
   `POST /api/ai/suggest` on ai-assist's port and through the gateway; one request at a
   time (c=1), each with a new text (and AI_ASSIST_CACHE_TTL=0), so every call reaches the
   model. Overhead = p50/p99 of the path minus p50/p99 of the model alone.
2. `scripts/refresh.py` throughput against a stand-in that takes 200 ms per answer, for
   `--max-concurrency` 1, 5 and 20, over `--tickets` open tickets inserted with SQL (a new
   Redis prefix per run, so every ticket is processed). Tickets/s counts from the script's
   "Found N tickets" line to its exit; the interpreter's start-up is reported apart.

Prints a report and writes bench/results/ai-<time>.json.
"""

from __future__ import annotations

import argparse
import asyncio
import json
import os
import platform
import statistics
import subprocess
import sys
import time
import uuid
from pathlib import Path

import aiohttp
import asyncpg

from servicedesk_devtools import devstack
from servicedesk_devtools.testing import unique

sys.path.insert(0, str(Path(__file__).parent))
from backbone import _cleanup, bench_env, free_port, wait
from tickets import token

HERE = Path(__file__).parent
ROOT = HERE.parent
API_KEY = "bench-ai-key-" + "b" * 24
SEED_SQL = """
INSERT INTO tickets (title, description, status, priority, system, requester_id,
                     created_at, updated_at)
SELECT 'Bench refresh ' || g, 'The VPN drops every ' || g || ' minutes on floor ' || (g % 7),
       'open', 'medium', 'TTS', 'bench-user', now(), now()
FROM generate_series(1, $1::int) AS g
"""


def pct(samples: list[float], q: float) -> float:
    ordered = sorted(samples)
    return ordered[min(len(ordered) - 1, int(q * len(ordered)))] * 1000


def summary(samples: list[float]) -> dict[str, float]:
    return {
        "p50_ms": round(pct(samples, 0.50), 2),
        "p99_ms": round(pct(samples, 0.99), 2),
        "mean_ms": round(statistics.mean(samples) * 1000, 2),
    }


async def timed(session: aiohttp.ClientSession, url: str, body, headers, n: int) -> list[float]:
    samples = []
    for i in range(n):
        payload = body(i)
        started = time.perf_counter()
        async with session.post(url, json=payload, headers=headers) as resp:
            await resp.read()
            assert resp.status == 200, (url, resp.status, await resp.text())
        samples.append(time.perf_counter() - started)
    return samples


async def suggest_overhead(env: dict[str, str], ollama: str, n: int) -> dict:
    from servicedesk_ai_assist.suggest.prompt import answer_schema, build_messages

    categories = ["access", "network", "outage", "other"]
    schema = answer_schema(categories)
    headers = {"Authorization": f"Bearer {token(env)}"}
    gateway = f"http://127.0.0.1:{env['GATEWAY_PORT']}"
    direct = f"http://127.0.0.1:{env['AI_ASSIST_PORT']}"

    def chat(i: int) -> dict:
        messages = build_messages(f"VPN drops, case {uuid.uuid4().hex}", categories)
        return {
            "model": "llama3.2:1b",
            "messages": messages,
            "format": schema,
            "stream": True,
            "options": {"temperature": 0},
        }

    def suggest(i: int) -> dict:
        return {"description": f"VPN drops, case {uuid.uuid4().hex}"}

    report = {}
    async with aiohttp.ClientSession() as session:
        for name, url, body, hdrs in [
            ("model alone (stand-in /api/chat)", f"{ollama}/api/chat", chat, {}),
            ("ai-assist direct", f"{direct}/api/ai/suggest", suggest, headers),
            ("through the gateway", f"{gateway}/api/ai/suggest", suggest, headers),
        ]:
            await timed(session, url, body, hdrs, 30)  # warm-up
            report[name] = summary(await timed(session, url, body, hdrs, n))
    model = report["model alone (stand-in /api/chat)"]
    for name in ("ai-assist direct", "through the gateway"):
        report[name]["overhead_p50_ms"] = round(report[name]["p50_ms"] - model["p50_ms"], 2)
        report[name]["overhead_p99_ms"] = round(report[name]["p99_ms"] - model["p99_ms"], 2)
    return report


def refresh_throughput(env: dict[str, str], ollama: str, tickets: int) -> dict:
    dsn = env["TICKETS_DATABASE_URL"].replace("postgresql+asyncpg://", "postgresql://")

    async def seed() -> None:
        conn = await asyncpg.connect(dsn)
        await conn.execute(SEED_SQL, tickets)
        await conn.close()

    asyncio.run(seed())
    import httpx

    httpx.post(f"{ollama}/_standin/mode", json={"delay": 0.2}).raise_for_status()
    report = {}
    for concurrency in (1, 5, 20):
        run_env = {
            **env,
            "REDIS_KEY_PREFIX": unique("bench-refresh") + ":",
            "AI_ASSIST_URL": f"http://127.0.0.1:{env['AI_ASSIST_PORT']}",
            "AI_ASSIST_API_KEY": API_KEY,
        }
        started = time.perf_counter()
        proc = subprocess.Popen(
            [
                sys.executable,
                str(ROOT / "scripts" / "refresh.py"),
                "--max-concurrency",
                str(concurrency),
            ],
            env=run_env,
            stdout=subprocess.PIPE,
            text=True,
        )
        found_at, lines = None, []
        for line in proc.stdout:  # type: ignore[union-attr]
            lines.append(line)
            if line.startswith("Found "):
                found_at = time.perf_counter()
        proc.wait()
        ended = time.perf_counter()
        out = "".join(lines)
        assert proc.returncode == 0 and f"Processed: {tickets}" in out, out
        work = ended - (found_at or started)
        report[f"max-concurrency {concurrency}"] = {
            "wall_seconds": round(ended - started, 2),
            "start_up_seconds": round((found_at or started) - started, 2),
            "tickets_per_s": round(tickets / work, 1),
            "bound_tickets_per_s": round(concurrency / 0.2, 1),
        }
        print(concurrency, report[f"max-concurrency {concurrency}"], flush=True)
    return report


def main() -> None:
    parser = argparse.ArgumentParser()
    parser.add_argument("--requests", type=int, default=400)
    parser.add_argument("--tickets", type=int, default=100)
    args = parser.parse_args()
    env = bench_env()
    port = free_port()
    ollama = f"http://127.0.0.1:{port}"
    env.update(
        OLLAMA_URL=ollama,
        AI_ASSIST_CACHE_TTL="0",
        RATE_LIMIT_AI="100000000/minute",
        AI_ASSIST_API_KEYS=API_KEY,
        TICKETS_API_KEYS=API_KEY,
    )
    standin = subprocess.Popen(
        [sys.executable, str(ROOT / "tests" / "ollama_standin.py"), "--port", str(port)],
        stdout=subprocess.DEVNULL,
    )
    devstack.prepare(env)
    stack = devstack.Stack(env, log_dir=ROOT / ".devstack" / "bench-logs")
    try:
        wait(f"{ollama}/api/version")
        stack.start()
        machine = {
            "cpus": os.cpu_count(),
            "platform": platform.platform(),
            "python": platform.python_version(),
        }
        report = {
            "machine": machine,
            "suggest_c1": asyncio.run(suggest_overhead(env, ollama, args.requests)),
        }
        print(json.dumps(report["suggest_c1"], indent=2), flush=True)
        report["refresh"] = refresh_throughput(env, ollama, args.tickets)
        out = HERE / "results" / f"ai-{time.strftime('%Y%m%dT%H%M%S')}.json"
        out.parent.mkdir(exist_ok=True)
        out.write_text(json.dumps(report, indent=2))
        print(f"written to {out}")
    finally:
        stack.stop()
        standin.terminate()
        standin.wait(10)
        asyncio.run(_cleanup(env))


if __name__ == "__main__":
    main()
