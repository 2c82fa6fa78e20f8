"""Benchmark of the SLA scheduler (issue 12) with many open tickets.

    .venv/bin/python bench/sla.py [--tickets 100000] [--due 100] [--polls 50]

On a throw-away, migrated tickets database: `--tickets` open tickets, each with its
`ticket_sla` row and four pending `sla_deadlines` (warning and breach of both targets),
due times spread over the next 30 days, inserted with SQL. Then:

1. an idle poll (`scheduler.poll`: nothing due, the common case), `--polls` times;
2. a poll that finds `--due` rows due (made due with SQL first) and emits each after
   re-deriving its ticket's clock (these tickets have no audit history, so the derivation
   reads an empty history: its cost is the queries, not a long history; filed 30 days ago,
   so every clock really is past due and each row is emitted, not moved);
3. `EXPLAIN (ANALYZE, BUFFERS)` of the due-time query.

Prints the report and writes bench/results/sla-<time>.json.
"""

from __future__ import annotations

import argparse
import asyncio
import json
import platform
import statistics
import subprocess
import time
from datetime import timedelta
from pathlib import Path

from sqlalchemy import text
from sqlalchemy.dialects import postgresql

from servicedesk_devtools.testing import throwaway_database
from servicedesk_shared.db import create_engine, session_factory
from servicedesk_tickets.database import load_models, utcnow
from servicedesk_tickets.sla.scheduler import due_query, poll

ROOT = Path(__file__).resolve().parents[1]
ALEMBIC_INI = ROOT / "services" / "tickets" / "alembic.ini"
SEED = [
    """INSERT INTO tickets (title, description, status, priority, system, requester_id,
                           created_at, updated_at)
       SELECT 'Bench SLA ' || g, 'Open ticket ' || g, 'open', 'medium', 'TTS', 'bench-user',
              now() - interval '30 days', now() - interval '30 days'
       FROM generate_series(1, :n) AS g""",
    """INSERT INTO ticket_sla (ticket_id, first_response_due_at, first_response_warn_at,
                              first_response_remaining, resolution_due_at, resolution_warn_at,
                              resolution_remaining, paused, next_due_at)
       SELECT id, now() + (id % 43200) * interval '1 minute',
              now() + (id % 43200) * interval '48 seconds', 28800,
              now() + (id % 43200) * interval '2 minutes',
              now() + (id % 43200) * interval '96 seconds', 86400, false,
              now() + (id % 43200) * interval '1 minute'
       FROM tickets""",
    """INSERT INTO sla_deadlines (ticket_id, target, kind, due_at)
       SELECT ticket_id, t.target, t.kind,
              CASE t.target || t.kind
                WHEN 'first_responsewarning' THEN first_response_warn_at
                WHEN 'first_responsebreach' THEN first_response_due_at
                WHEN 'resolutionwarning' THEN resolution_warn_at
                ELSE resolution_due_at END
       FROM ticket_sla, (VALUES ('first_response', 'warning'), ('first_response', 'breach'),
                                ('resolution', 'warning'), ('resolution', 'breach'))
            AS t(target, kind)""",
    "ANALYZE tickets",
    "ANALYZE ticket_sla",
    "ANALYZE sla_deadlines",
]
MAKE_DUE = """UPDATE sla_deadlines SET due_at = now() - interval '1 minute'
              WHERE (ticket_id, target, kind) IN (SELECT ticket_id, target, kind
                     FROM sla_deadlines WHERE emitted_at IS NULL ORDER BY ticket_id LIMIT :n)"""


def ms(samples: list[float]) -> dict[str, float]:
    ordered = sorted(samples)
    return {
        "p50": round(statistics.median(ordered) * 1000, 2),
        "p95": round(ordered[int(0.95 * (len(ordered) - 1))] * 1000, 2),
        "max": round(ordered[-1] * 1000, 2),
    }


async def timed_poll(sessions) -> tuple[float, int]:
    start = time.perf_counter()
    emitted = await poll(sessions, now=utcnow())
    return time.perf_counter() - start, len(emitted)


async def explain(engine) -> str:
    query = due_query(utcnow() + timedelta(seconds=1)).compile(
        dialect=postgresql.dialect(), compile_kwargs={"literal_binds": True}
    )
    async with engine.begin() as conn:
        rows = await conn.execute(text(f"EXPLAIN (ANALYZE, BUFFERS) {query}"))
        return "\n".join(r[0] for r in rows)


async def run(args) -> dict:
    load_models()
    async with throwaway_database("desk_tickets_bench_sla", ALEMBIC_INI) as url:
        engine = create_engine(url, pool_size=2)
        sessions = session_factory(engine)
        async with engine.begin() as conn:
            start = time.perf_counter()
            for statement in SEED:
                await conn.execute(text(statement), {"n": args.tickets})
            seeded = time.perf_counter() - start
            rows = await conn.scalar(text("SELECT count(*) FROM sla_deadlines"))
        await timed_poll(sessions)  # warm the pool and the plan cache
        idle = [(await timed_poll(sessions))[0] for _ in range(args.polls)]
        async with engine.begin() as conn:
            await conn.execute(text(MAKE_DUE), {"n": args.due})
        busy, emitted = await timed_poll(sessions)
        plan = await explain(engine)
        await engine.dispose()
    return {
        "tickets": args.tickets,
        "deadline_rows": rows,
        "seed_seconds": round(seeded, 1),
        "idle_poll_ms": ms(idle),
        "due_poll_ms": round(busy * 1000, 1),
        "due_emitted": emitted,
        "explain": plan,
    }


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--tickets", type=int, default=100_000)
    parser.add_argument("--due", type=int, default=100)
    parser.add_argument("--polls", type=int, default=50)
    report = asyncio.run(run(parser.parse_args()))
    commit = subprocess.run(
        ["git", "rev-parse", "--short", "HEAD"], capture_output=True, text=True, cwd=ROOT
    ).stdout.strip()
    report |= {
        "commit": commit,
        "machine": f"{platform.machine()} {platform.release()}",
        "at": utcnow().isoformat(timespec="minutes"),
    }
    print(json.dumps({k: v for k, v in report.items() if k != "explain"}, indent=2))
    print(report["explain"])
    out = ROOT / "bench" / "results" / f"sla-{int(time.time())}.json"
    out.parent.mkdir(exist_ok=True)
    out.write_text(json.dumps(report, indent=2))


if __name__ == "__main__":
    main()
