"""Request cost against anchors: each route as a ratio of the least a Python service can do.

    .venv/bin/python bench/cost.py [--seconds 10] [--rounds 2] [--seed 50000] [--creates-only]

Starts a throw-away stack as bench/tickets.py does (`bench_env`: own databases, Redis
prefix, vhost, free ports, limits raised), seeds `--seed` tickets (half of them TTS) and
stores their SLA clocks, registers a user, and starts bench/anchor.py on a free port
against the same databases and Redis. Then, `--rounds` times, interleaved (anchor,
service, gateway, anchor, …) so drift on a shared machine hits each alike:

- `GET /api/users/me`, `GET /api/tickets/{id}`, `GET /api/tickets?limit=50` (an agent of
  TTS, who sees about half): wrk at 64 connections on the anchor, the service direct and
  through the gateway; at 1 connection on the service and through the gateway;
- `POST /api/tickets`, wrk at 32 connections, on the anchor and through the gateway with
  events live (relay, consumers); the backlog drained before each run and the CPU counted
  until it is drained again (so it includes publishing and consuming);
- `POST /api/tickets` through the gateway at a fixed 200/s (open loop, `fixed_rate`).

Each run also records every process's CPU time per request (bench/meter.py: the anchor,
each service, the gateway, the PostgreSQL backends of the bench's databases): on a shared
machine req/s moves with the neighbours, CPU per request hardly does. Prints a Markdown
table (means of the rounds, each ratio against its anchor, the goal's verdict) and writes
every run to bench/results/cost-<time>.json. `--creates-only`: the seed and the full-speed
creates against their anchor, nothing else (an A/B of the create path in ~2 minutes).
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
from pathlib import Path

import httpx

from servicedesk_devtools import devstack

sys.path.insert(0, str(Path(__file__).parent))
import wrk
from backbone import _cleanup, bench_env, bench_user, free_port, wait
from meter import Meter, drain
from tickets import CREATE_BODY, create_at_full_speed, fixed_rate, seed, sla_backfill, token

HERE = Path(__file__).parent
ROOT = HERE.parent
TICKET_ID = 2  # seeded: even rows are TTS, so the agent sees it
READS = {  # path label -> (service, path)
    "GET /api/users/me": ("auth", "/api/users/me"),
    "GET /api/tickets/{id}": ("tickets", f"/api/tickets/{TICKET_ID}"),
    "GET /api/tickets?limit=50": ("tickets", "/api/tickets?limit=50"),
}
APP = {"anchor": ("anchor",), "service": (), "gateway": ("gateway",)}  # + the service itself


class Bench:
    """The stack, the anchor and the meter; one `run` per measurement."""

    def __init__(self, env: dict[str, str], stack: devstack.Stack, anchor: subprocess.Popen):
        self.env, self.seconds = env, 0
        self.base = {
            "anchor": f"http://127.0.0.1:{env['ANCHOR_PORT']}",
            "gateway": f"http://127.0.0.1:{env['GATEWAY_PORT']}",
            "auth": f"http://127.0.0.1:{env['AUTH_PORT']}",
            "tickets": f"http://127.0.0.1:{env['TICKETS_PORT']}",
        }
        pids = {name: proc.pid for name, proc in stack.procs.items()} | {"anchor": anchor.pid}
        urls = [env[s.db_var] for s in devstack.installed_services() if s.db_var]
        self.meter = Meter(pids, urls)

    def run(self, label: str, target: str, measure, *, drained: bool = False) -> dict:
        """`measure()` -> wrk.Result, with each process's CPU ms per request."""
        time.sleep(1)
        before = self.meter.snapshot()
        result = measure()
        if drained:
            drain(self.env)
        after, requests = self.meter.snapshot(), result.rps * self.seconds
        cpu = self.meter.cost(before, after, requests)
        row = {
            "path": label,
            "target": target,
            **vars(result),
            "cpu_ms": cpu,
            "pg": Meter.pg(before, after, requests),
        }
        bad = f" non-2xx {result.non_2xx} timeouts {result.timeouts}" * bool(
            result.non_2xx or result.timeouts
        )
        print(
            f"  {label:<26} {target:<16} {result.row()}{bad}  cpu ms/req {cpu} {row['pg']}",
            flush=True,
        )
        return row


def reads(bench: Bench, headers: dict[str, dict], rounds: int) -> list[dict]:
    rows = []
    for _ in range(rounds):
        for label, (service, path) in READS.items():
            h = headers[service]
            for target, conns in (
                ("anchor", 64),
                ("service", 64),
                ("gateway", 64),
                ("service", 1),
                ("gateway", 1),
            ):
                url = bench.base[service if target == "service" else target] + path
                rows.append(
                    bench.run(
                        label,
                        f"{target} c={conns}",
                        lambda url=url, c=conns, h=h: wrk.run(
                            url, connections=c, seconds=bench.seconds, headers=h
                        ),
                    )
                )
    return rows


def creates(bench: Bench, user: dict, rounds: int) -> list[dict]:
    rows = []
    drain(bench.env)
    for _ in range(rounds):
        for target in ("anchor", "gateway"):
            base = bench.base[target]
            rows.append(
                bench.run(
                    "POST /api/tickets",
                    f"{target} c=32",
                    lambda base=base: create_at_full_speed(base, user, bench.seconds),
                    drained=True,
                )
            )
    return rows


def same_answers(bench: Bench, headers: dict[str, dict]) -> dict[str, str]:
    """Anchor vs service: status, top-level fields and the list's total, once each."""
    found = {}
    for label, (service, path) in READS.items():
        got = [
            httpx.get(bench.base[name] + path, headers=headers[service])
            for name in ("anchor", service)
        ]
        bodies = [
            r.json() if r.headers.get("content-type") == "application/json" else {} for r in got
        ]
        same = [r.status_code for r in got] == [200, 200] and set(bodies[0]) == set(bodies[1])
        same &= bodies[0].get("total") == bodies[1].get("total")
        shown = [(r.status_code, sorted(body)) for r, body in zip(got, bodies, strict=True)]
        found[label] = "same" if same else f"DIFFER: {shown}"
    return found


def mean(rows: list[dict], path: str, target: str) -> dict | None:
    runs = [r for r in rows if r["path"] == path and r["target"] == target]
    if not runs:
        return None
    keys = {"rps", "p50_ms", "p99_ms"}
    avg = {k: statistics.mean(r[k] for r in runs) for k in keys}
    avg["errors"] = sum(r["non_2xx"] + r["timeouts"] for r in runs)
    avg["cpu_all"] = statistics.mean(sum(r["cpu_ms"].values()) for r in runs)
    avg["cpu_pg"] = statistics.mean(r["cpu_ms"]["postgres"] for r in runs)
    avg["sessions"] = statistics.mean(r["pg"]["sessions_per_request"] for r in runs) * 1000
    return avg


GOALS = {  # target -> (reference target, goal text, check(row, reference))
    "service c=64": ("anchor c=64", "≥ 0.8x anchor", lambda r, a: r["rps"] >= 0.8 * a["rps"]),
    "gateway c=64": ("service c=64", "≥ 0.8x service", lambda r, a: r["rps"] >= 0.8 * a["rps"]),
    "gateway c=1": ("service c=1", "≤ +1 ms p50", lambda r, a: r["p50_ms"] - a["p50_ms"] <= 1),
    "gateway c=32": (
        "anchor c=32",
        "≥ 400/s and ≥ 0.7x anchor",
        lambda r, a: r["rps"] >= 400 and r["rps"] >= 0.7 * a["rps"],
    ),
}


def table(rows: list[dict], fixed: dict | None) -> str:
    lines = [
        "| path | target | req/s | p50 ms | p99 ms | CPU ms/req (all) | of which PG "
        "| PG sessions /1k req | ratio | CPU ratio | goal | verdict |",
        "|---|---|---:|---:|---:|---:|---:|---:|---:|---:|---|---|",
    ]
    for path in dict.fromkeys(r["path"] for r in rows):
        for target in dict.fromkeys(r["target"] for r in rows if r["path"] == path):
            row = mean(rows, path, target)
            ratio = cpu_ratio = goal = verdict = "—"
            if target in GOALS and (ref := mean(rows, path, GOALS[target][0])):
                _, goal, check = GOALS[target]
                ratio = (
                    f"{row['p50_ms'] - ref['p50_ms']:+.2f} ms"
                    if target == "gateway c=1"
                    else f"{row['rps'] / ref['rps']:.2f}x"
                )
                cpu_ratio = f"{ref['cpu_all'] / row['cpu_all']:.2f}x" if row["cpu_all"] else "—"
                verdict = "met" if check(row, ref) else "NOT met"
            if row["errors"]:
                verdict += f" ({row['errors']} non-2xx or timeouts)"
            lines.append(
                f"| `{path}` | {target} | {row['rps']:.0f} | {row['p50_ms']:.2f} | "
                f"{row['p99_ms']:.2f} | {row['cpu_all']:.2f} | {row['cpu_pg']:.2f} | "
                f"{row['sessions']:.1f} | {ratio} | "
                f"{cpu_ratio} | {goal} | {verdict} |"
            )
    if fixed is None:  # --creates-only
        return "\n".join(lines)
    ok = fixed["p99_ms"] <= 50 and not fixed["errors"]
    lines.append(
        f"| `POST /api/tickets` | gateway at {fixed['rate']}/s | {fixed['requests']} sent | "
        f"{fixed['p50_ms']:.2f} | {fixed['p99_ms']:.2f} | | | | | | p99 ≤ 50 ms | "
        f"{'met' if ok else 'NOT met'} |"
    )
    return "\n".join(lines)


def start_anchor(env: dict[str, str]) -> subprocess.Popen:
    env["ANCHOR_PORT"] = str(free_port())
    log = open(ROOT / ".devstack" / "bench-logs" / "anchor.log", "ab")  # noqa: SIM115
    proc = subprocess.Popen(
        [sys.executable, str(HERE / "anchor.py"), env["ANCHOR_PORT"]],
        env=env,
        stdout=log,
        stderr=log,
    )
    wait(f"http://127.0.0.1:{env['ANCHOR_PORT']}/healthz")
    return proc


def measure(env: dict[str, str], stack: devstack.Stack, args: argparse.Namespace) -> dict:
    report: dict = {"seed_seconds": asyncio.run(seed(env["TICKETS_DATABASE_URL"], 1, args.seed))}
    if not args.creates_only:
        report["sla_backfill_seconds"] = sla_backfill(env)
    anchor = start_anchor(env)
    try:
        bench = Bench(env, stack, anchor)
        bench.seconds = args.seconds
        drain(env)
        report["idle_cpu_per_s"] = bench.meter.measure_idle(max(args.seconds, 5))
        print(f"idle CPU s/s: {report['idle_cpu_per_s']}", flush=True)
        user = {"Authorization": f"Bearer {token(env)}"}
        if args.creates_only:  # an A/B of the create path: creates against their anchor
            rows = creates(bench, user, args.rounds)
            report |= {"runs": rows, "table": table(rows, None)}
            return report
        _creds, me = bench_user(bench.base["gateway"])
        agent = {"Authorization": f"Bearer {token(env, systems={'TTS': 'agent'})}"}
        headers = {"auth": {"Authorization": f"Bearer {me}"}, "tickets": agent}
        report["same_answers"] = same_answers(bench, headers)
        print(f"anchor vs service: {report['same_answers']}", flush=True)
        print("requests/s, p50 ms, p99 ms", flush=True)
        rows = reads(bench, headers, args.rounds)
        rows += creates(bench, user, args.rounds)
        report["fixed_200"] = asyncio.run(
            fixed_rate(
                "POST",
                f"{bench.base['gateway']}/api/tickets",
                rate=200,
                seconds=args.seconds * 2,
                headers=user,
                body=CREATE_BODY,
            )
        )
        print(f"create at 200/s: {report['fixed_200']}", flush=True)
        report["runs"] = rows
        report["table"] = table(rows, report["fixed_200"])
    finally:
        anchor.terminate()
        anchor.wait(10)
    return report


def main() -> None:
    parser = argparse.ArgumentParser()
    parser.add_argument("--seconds", type=int, default=10)
    parser.add_argument("--rounds", type=int, default=2)
    parser.add_argument("--seed", type=int, default=50_000)
    parser.add_argument(
        "--creates-only", action="store_true", help="creates against their anchor, nothing else"
    )
    args = parser.parse_args()
    env = bench_env()
    devstack.prepare(env)
    stack = devstack.Stack(env, log_dir=ROOT / ".devstack" / "bench-logs")
    try:
        stack.start()
        report = measure(env, stack, args)
        report["machine"] = {
            "cpus": os.cpu_count(),
            "platform": platform.platform(),
            "python": platform.python_version(),
            "load_before_stop": os.getloadavg(),
        }
        report["args"] = vars(args)
        print(report["table"])
        out = HERE / "results" / f"cost-{time.strftime('%Y%m%dT%H%M%S')}.json"
        out.parent.mkdir(exist_ok=True)
        out.write_text(json.dumps(report, indent=2))
        print(f"written to {out}")
    finally:
        stack.stop()
        asyncio.run(_cleanup(env))


if __name__ == "__main__":
    main()
