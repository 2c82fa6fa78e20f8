"""Creates/s with one tickets replica, then with two: what does the second one add?

    .venv/bin/python bench/replicas.py [--seconds 10] [--rounds 2]

Starts a throw-away stack as bench/tickets.py does (`bench_env`) and, for each two-replica
run, a second tickets process the way devstack starts the first (`python -m
servicedesk_tickets`, same environment: same database, Redis and broker; another
`TICKETS_PORT`), stopped again after it (left running, its relay and consumers would share
the event work of the one-replica runs). The gateway routes
to one upstream per service (replicas behind it are a later issue), so wrk drives the
replicas directly: `POST /api/tickets` at 32 connections on the first alone, then two wrk
at 16 connections each, one per replica, at the same time; their creates/s summed. Rounds
alternate one and two; the event backlog (both relays, the consumers) is drained before
each run and counted in its CPU (bench/meter.py: ms of CPU per create per process).

With everything on one small machine the replicas, PostgreSQL, the consumers and wrk
share the same cores: a second replica can only add what the CPU left idle by the first
allows (on 2 cores, little). The figure that carries to a bigger machine is the CPU per
create of each process; the gain in % is the goal's check (the second adds >= 60 %).

Prints a Markdown table and writes bench/results/replicas-<time>.json.
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
import tempfile
import time
from concurrent.futures import ThreadPoolExecutor
from pathlib import Path

from servicedesk_devtools import devstack

sys.path.insert(0, str(Path(__file__).parent))
import wrk
from backbone import _cleanup, bench_env, free_port, wait
from meter import Meter, drain
from tickets import CREATE_LUA, token

HERE = Path(__file__).parent
ROOT = HERE.parent
LOGS = ROOT / ".devstack" / "bench-logs"


class SecondReplica:
    """A second tickets process (same settings, its own port), up only for the two-replica
    runs: running, its relay and consumers would share the event work of the one-replica
    runs too."""

    def __init__(self, env: dict[str, str], meter: Meter) -> None:
        self.env, self.meter, self.proc, self.url = env, meter, None, ""

    def up(self) -> str:
        if self.proc is None:
            port = free_port()
            log = open(LOGS / "tickets-2.log", "ab")  # noqa: SIM115
            own = {**self.env, "TICKETS_PORT": str(port)}
            self.proc = subprocess.Popen(
                [sys.executable, "-m", "servicedesk_tickets"], env=own, stdout=log, stderr=log
            )
            self.url = f"http://127.0.0.1:{port}/api/tickets"
            wait(f"http://127.0.0.1:{port}/healthz")
            self.meter.pids["tickets-2"] = self.proc.pid
        return self.url

    def down(self) -> None:
        if self.proc is not None:
            self.proc.terminate()
            self.proc.wait(10)
            self.proc = None


def creates(urls: list[str], conns: int, seconds: int, headers: dict, script: str) -> list:
    """One wrk per URL, all at once (subprocess.run releases the GIL)."""
    with ThreadPoolExecutor(len(urls)) as pool:
        runs = [
            pool.submit(
                wrk.run, url, connections=conns, seconds=seconds, headers=headers, script=script
            )
            for url in urls
        ]
        return [run.result() for run in runs]


def measure(env: dict, meter: Meter, second: SecondReplica, args) -> list[dict]:
    first = f"http://127.0.0.1:{env['TICKETS_PORT']}/api/tickets"
    headers = {"Authorization": f"Bearer {token(env)}"}
    with tempfile.NamedTemporaryFile("w", suffix=".lua", delete=False) as script:
        script.write(CREATE_LUA)
    rows = []
    try:
        for _ in range(args.rounds):
            for replicas, conns in ((1, 32), (2, 16)):
                urls = [first] if replicas == 1 else [first, second.up()]
                drain(env)
                time.sleep(1)
                before = meter.snapshot()
                results = creates(urls, conns, args.seconds, headers, script.name)
                drain(env)
                rps, after = sum(r.rps for r in results), meter.snapshot()
                cpu = meter.cost(before, after, rps * args.seconds)
                rows.append(
                    {
                        "replicas": replicas,
                        "connections_each": conns,
                        "rps": rps,
                        "runs": [vars(r) for r in results],
                        "cpu_ms": cpu,
                        "pg": Meter.pg(before, after, rps * args.seconds),
                    }
                )
                print(
                    f"  {replicas} replica(s) c={conns} each: {rps:.0f}/s "
                    f"p99 {max(r.p99_ms for r in results):.1f} ms "
                    f"non-2xx {sum(r.non_2xx for r in results)} "
                    f"timeouts {sum(r.timeouts for r in results)}  cpu ms/create {cpu}",
                    flush=True,
                )
                second.down()
    finally:
        os.unlink(script.name)
    return rows


def table(rows: list[dict]) -> tuple[str, float]:
    lines = [
        "| tickets replicas | wrk | creates/s | p99 ms (worst) | CPU ms/create (all) "
        "| of which tickets | of which PG | non-2xx or timeouts |",
        "|---|---|---:|---:|---:|---:|---:|---:|",
    ]
    mean = {}
    for n in (1, 2):
        runs = [r for r in rows if r["replicas"] == n]
        mean[n] = statistics.mean(r["rps"] for r in runs)
        cpu = statistics.mean(sum(r["cpu_ms"].values()) for r in runs)
        app = statistics.mean(
            r["cpu_ms"]["tickets"] + r["cpu_ms"].get("tickets-2", 0) for r in runs
        )
        pg = statistics.mean(r["cpu_ms"]["postgres"] for r in runs)
        p99 = statistics.mean(max(w["p99_ms"] for w in r["runs"]) for r in runs)
        errors = sum(w["non_2xx"] + w["timeouts"] for r in runs for w in r["runs"])
        wrk_text = "1 x c=32" if n == 1 else "2 x c=16"
        lines.append(
            f"| {n} | {wrk_text} | {mean[n]:.0f} | {p99:.1f} | {cpu:.2f} | {app:.2f} "
            f"| {pg:.2f} | {errors} |"
        )
    gain = (mean[2] / mean[1] - 1) * 100
    verdict = "met" if gain >= 60 else "NOT met"
    lines.append(f"\nThe second replica adds {gain:+.0f} % (goal ≥ +60 %: {verdict}).")
    return "\n".join(lines), gain


def main() -> None:
    parser = argparse.ArgumentParser()
    parser.add_argument("--seconds", type=int, default=10)
    parser.add_argument("--rounds", type=int, default=2)
    args = parser.parse_args()
    env = bench_env()
    devstack.prepare(env)
    stack = devstack.Stack(env, log_dir=LOGS)
    second = None
    try:
        stack.start()
        pids = {name: proc.pid for name, proc in stack.procs.items()}
        meter = Meter(pids, [env[s.db_var] for s in devstack.installed_services() if s.db_var])
        second = SecondReplica(env, meter)
        drain(env)
        idle = meter.measure_idle(max(args.seconds, 5))
        rows = measure(env, meter, second, args)
        text, gain = table(rows)
        print(text)
        report = {
            "runs": rows,
            "gain_percent": gain,
            "idle_cpu_per_s": idle,
            "table": text,
            "args": vars(args),
            "machine": {
                "cpus": os.cpu_count(),
                "platform": platform.platform(),
                "load": os.getloadavg(),
            },
        }
        out = HERE / "results" / f"replicas-{time.strftime('%Y%m%dT%H%M%S')}.json"
        out.parent.mkdir(exist_ok=True)
        out.write_text(json.dumps(report, indent=2))
        print(f"written to {out}")
    finally:
        if second is not None:
            second.down()
        stack.stop()
        asyncio.run(_cleanup(env))


if __name__ == "__main__":
    main()
