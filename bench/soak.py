"""Mixed-load soak (issue "What a request costs"): people using the desk through the gateway.

    .venv/bin/python bench/soak.py [--users 200] [--minutes 5] [--tickets 5000]
                                   [--pace 1] [--overload]

Starts a throw-away stack the way bench/backbone.py does (own databases, Redis prefix,
RabbitMQ vhost, free ports, rate limits raised so the limiter still runs but never says
no), seeds it straight into PostgreSQL (`--tickets` tickets of 500 requesters in TTS and
HDTS, most of them assigned to 20 agents per system, comments on a third, ten
notifications per person; the people in tickets' and notifications' directories; SLA
clocks stored), then runs Locust headless on bench/locustfile.py: `--users` simulated
people (7 requesters to 3 agents) browsing and filtering the queue, opening tickets,
commenting, filing, moving, taking, exporting and reading notifications for `--minutes`.
Tokens are minted with the stack's signing key.

Every 5 s it samples each service process's VmRSS (/proc/<pid>/status) and CPU time. Goals:
no 5xx on any route, and each service's RSS grows by less than 10 % from minute 1 to the
end. Writes Locust's HTML report and bench/results/soak-<time>.json, prints a Markdown table
of p50/p95/p99 per route, and exits 1 when a goal is missed.

Beyond capacity: `--pace N` divides every think time by N (the same people, N times the
requests), and `--overload` changes the goals to the overload bounds' (issue "What a
request costs", "Bad input and limits"): 503 `overloaded` allowed and timed apart, no other
5xx, no unanswered request, and after Locust stops, the list page answers 200 within 3
times its latency at rest (measured before the load) five times in a row within 10 s.
"""

from __future__ import annotations

import argparse
import asyncio
import contextlib
import json
import os
import platform
import statistics
import subprocess
import sys
import tempfile
import time
import uuid
from pathlib import Path

import asyncpg
import httpx

from servicedesk_devtools import devstack

sys.path.insert(0, str(Path(__file__).parent))
from backbone import _cleanup, bench_env
from tickets import memory, seed, sla_backfill, token

HERE = Path(__file__).parent
ROOT = HERE.parent
REQUESTERS = 500  # tickets.seed() files for seed-user-0 … seed-user-499
AGENTS_PER_SYSTEM = 20
SYSTEMS = ("TTS", "HDTS")
SAMPLE_SECONDS = 5
GROWTH_LIMIT_PCT = 10.0
RECOVERY_LIMIT_S = 10.0
RECOVERED_IN_A_ROW = 5
CLK_TCK = os.sysconf("SC_CLK_TCK")

# seed() leaves requester 'seed-user-<n>' and no assignee: give each ticket one of the
# requesters' real ids and (all but two in three of the open ones) an agent of its system.
ASSIGN_SQL = """
UPDATE tickets SET
  requester_id = ($1::text[])[1 + split_part(requester_id, '-', 3)::int],
  assignee_id = CASE WHEN status <> 'open' OR id % 3 = 0 THEN
    (CASE system WHEN 'TTS' THEN $2::text[] ELSE $3::text[] END)[1 + id % $4::int] END
"""
COMMENTS_SQL = """
INSERT INTO comments (ticket_id, author_id, author_name, body, internal, created_at)
SELECT id, requester_id, 'Requester', 'Still happens after a restart.', false,
       created_at + interval '10 minutes' FROM tickets WHERE id % 3 = 0
UNION ALL
SELECT id, assignee_id, 'Agent', 'Replaced the toner; watching it.', false,
       created_at + interval '1 hour' FROM tickets WHERE id % 3 = 0 AND assignee_id IS NOT NULL
"""
PEOPLE_SQL = """
INSERT INTO people (user_id, username, display_name, email, is_active, systems, version,
                    occurred_at, systems_version, systems_occurred_at)
VALUES ($1, $2::text, $3, $2::text || '@example.com', true, $4::jsonb, 1, now(), 1, now())
"""
DIRECTORY_SQL = """
INSERT INTO user_directory (user_id, username, email, display_name, is_active, systems,
                            profile_version, roles_version, updated_at)
VALUES ($1, $2::text, $2::text || '@example.com', $3, true, $4::jsonb, 1, 1, now())
"""
INBOX_SQL = """
INSERT INTO notifications (user_id, kind, ticket_id, title, body, created_at, updated_at,
                           read_at, count, gathering)
SELECT u, 'ticket.status_changed', t, 'Ticket #' || t || ' moved to In progress',
       'An agent picked it up.', now() - g * interval '1 hour', now() - g * interval '1 hour',
       CASE WHEN g > 3 THEN now() END, 1, false
FROM unnest($1::text[]) AS u, generate_series(1, 10) AS g,
     LATERAL (SELECT 1 + abs(hashtext(u || g)) % $2::int AS t) AS pick
"""


def dsn(env: dict[str, str], var: str) -> str:
    return env[var].replace("postgresql+asyncpg://", "postgresql://")


def people(env: dict[str, str]) -> dict[str, list[dict]]:
    """The requesters and agents, each with an id, a name and a token of the stack's key."""
    requesters = [{"id": str(uuid.uuid4()), "name": f"requester{n}"} for n in range(REQUESTERS)]
    agents = [
        {"id": str(uuid.uuid4()), "name": f"agent-{system.lower()}{n}", "system": system}
        for system in SYSTEMS
        for n in range(AGENTS_PER_SYSTEM)
    ]
    for person in requesters + agents:
        systems = {person["system"]: "agent"} if "system" in person else {}
        person["token"] = token(
            env,
            sub=person["id"],
            username=person["name"],
            email=f"{person['name']}@example.com",
            systems=systems,
        )
    return {"requesters": requesters, "agents": agents}


async def seed_people(env: dict[str, str], who: dict[str, list[dict]], tickets: int) -> None:
    """Tickets' owners and assignees, comments, both directories, the notifications."""
    everyone = who["requesters"] + who["agents"]
    rows = [
        (
            p["id"],
            p["name"],
            p["name"].title(),
            json.dumps({p["system"]: "agent"} if "system" in p else {}),
        )
        for p in everyone
    ]
    agents = {s: [a["id"] for a in who["agents"] if a["system"] == s] for s in SYSTEMS}
    conn = await asyncpg.connect(dsn(env, "TICKETS_DATABASE_URL"))
    try:
        await conn.execute(
            ASSIGN_SQL,
            [r["id"] for r in who["requesters"]],
            agents["TTS"],
            agents["HDTS"],
            AGENTS_PER_SYSTEM,
        )
        await conn.execute(COMMENTS_SQL)
        await conn.executemany(PEOPLE_SQL, rows)
        await conn.execute("VACUUM ANALYZE tickets")
        await conn.execute("ANALYZE comments")
    finally:
        await conn.close()
    conn = await asyncpg.connect(dsn(env, "NOTIFICATIONS_DATABASE_URL"))
    try:
        await conn.executemany(DIRECTORY_SQL, rows)
        await conn.execute(INBOX_SQL, [p["id"] for p in everyone], tickets)
        await conn.execute("ANALYZE notifications")
    finally:
        await conn.close()


def cpu_seconds(pid: int) -> float:
    """utime + stime of `pid` (fields 14 and 15 of /proc/<pid>/stat)."""
    fields = Path(f"/proc/{pid}/stat").read_text().rsplit(")", 1)[1].split()
    return (int(fields[11]) + int(fields[12])) / CLK_TCK


def sample(stack: devstack.Stack, began: float) -> dict:
    row: dict = {"t": round(time.monotonic() - began, 1)}
    for name, proc in stack.procs.items():
        if proc.poll() is None:
            row[name] = {"rss_kib": memory(proc.pid)["VmRSS"], "cpu_s": cpu_seconds(proc.pid)}
    return row


def locust(
    gateway: str, args: argparse.Namespace, out: Path, files: dict[str, str], stack: devstack.Stack
) -> list[dict]:
    """Run Locust headless to the end, sampling the services every SAMPLE_SECONDS."""
    cmd = [
        sys.executable,
        "-m",
        "locust",
        "-f",
        str(HERE / "locustfile.py"),
        "--headless",
        "-u",
        str(args.users),
        "-r",
        str(args.spawn_rate),
        "-t",
        f"{args.minutes}m",
        "--host",
        gateway,
        "--html",
        str(out.with_suffix(".html")),
        "--csv",
        str(out.with_suffix("")),
        "--only-summary",
        "--stop-timeout",
        "10",
        "--loglevel",
        "WARNING",
    ]
    env = {**os.environ, **files}
    samples = []
    with open(out.with_suffix(".locust.log"), "w") as log:
        began = time.monotonic()
        proc = subprocess.Popen(cmd, env=env, stdout=log, stderr=subprocess.STDOUT)
        while proc.poll() is None:
            samples.append(sample(stack, began))
            with contextlib.suppress(subprocess.TimeoutExpired):
                proc.wait(SAMPLE_SECONDS)
    return samples


def memory_report(samples: list[dict], minutes: int) -> dict[str, dict]:
    """RSS at minute 1 (at 15 s for a one-minute run) and at the last sample; CPU between."""
    start_t = 60 if minutes >= 2 else 15
    first = next(s for s in samples if s["t"] >= start_t)
    last = samples[-1]
    report = {}
    for name in last:
        if name == "t" or name not in first:
            continue
        a, b = first[name], last[name]
        report[name] = {
            "t_first": first["t"],
            "t_last": last["t"],
            "rss_first_mib": round(a["rss_kib"] / 1024, 1),
            "rss_last_mib": round(b["rss_kib"] / 1024, 1),
            "growth_pct": round(100 * (b["rss_kib"] - a["rss_kib"]) / a["rss_kib"], 2),
            "cpu_s": round(b["cpu_s"] - a["cpu_s"], 1),
        }
    return report


def routes(rows: list[dict]) -> list[dict]:
    """The locustfile's rows (ms, per route) with their 5xx and unanswered (status 0) counts;
    5xx other than the overload bound's 503 apart (`--overload` allows 503s, nothing else)."""
    rows = [row for row in rows if "statuses" in row]
    for row in rows:
        row["5xx"] = sum(n for code, n in row["statuses"].items() if int(code) >= 500)
        row["5xx_not_503"] = row["5xx"] - row["statuses"].get("503", 0)
        row["no_answer"] = row["statuses"].get("0", 0)
    return rows


def brief(line: str) -> str:
    """A JSON log line as time, logger, message and the exception's last line."""
    try:
        entry = json.loads(line)
    except ValueError:
        return line[:300]
    exc = (entry.get("exc") or "").strip().splitlines()
    return f"{entry.get('ts')} {entry.get('logger')}: {entry.get('msg', '').strip()}" + (
        f" | {exc[-1][:300]}" if exc else ""
    )


def log_errors(log_dir: Path) -> dict[str, list[str]]:
    """Each service's ERROR/CRITICAL lines (first 20 of each), briefly."""
    found = {}
    for path in sorted(log_dir.glob("*.log")):
        lines = [
            brief(line)
            for line in path.read_text(errors="replace").splitlines()
            if '"level":"error"' in line
            or '"level":"critical"' in line
            or "ERROR" in line
            or "CRITICAL" in line
        ]
        if lines:
            found[path.stem] = lines[:20] + ([f"… {len(lines)} in all"] if len(lines) > 20 else [])
    return found


def markdown(rows: list[dict], mem: dict[str, dict]) -> str:
    out = [
        "| route | requests | req/s | p50 ms | p95 ms | p99 ms | max ms | statuses | 5xx |",
        "|---|---|---|---|---|---|---|---|---|",
    ]
    for r in rows:
        codes = ", ".join(f"{c}: {n}" for c, n in sorted(r["statuses"].items()))
        out.append(
            f"| `{r['route']}` | {r['requests']:,} | {r['rps']:.1f} | {r['p50']} | "
            f"{r['p95']} | {r['p99']} | {r['max']:,} | {codes} | {r['5xx']} |"
        )
    out += [
        "",
        "| service | RSS at minute 1 | RSS at the end | growth | CPU s in between |",
        "|---|---|---|---|---|",
    ]
    for name, m in mem.items():
        out.append(
            f"| {name} | {m['rss_first_mib']} MiB (t={m['t_first']:.0f} s) | "
            f"{m['rss_last_mib']} MiB (t={m['t_last']:.0f} s) | {m['growth_pct']:+.1f} % | "
            f"{m['cpu_s']} |"
        )
    return "\n".join(out)


def machine() -> dict:
    cpuinfo = Path("/proc/cpuinfo").read_text().splitlines()
    model = next(
        (line.split(":", 1)[1].strip() for line in cpuinfo if line.startswith("model name")),
        "unknown",
    )
    commit = subprocess.run(
        ["git", "rev-parse", "--short", "HEAD"], cwd=ROOT, capture_output=True, text=True
    ).stdout.strip()
    return {
        "cpus": os.cpu_count(),
        "model": model,
        "platform": platform.platform(),
        "python": platform.python_version(),
        "commit": commit,
    }


def probe(gateway: str, token: str) -> tuple[int, float]:
    """One list page as an agent: the status and the latency in ms."""
    began = time.perf_counter()
    try:
        resp = httpx.get(
            f"{gateway}/api/tickets",
            params={"limit": 25, "system": "TTS"},
            headers={"Authorization": f"Bearer {token}"},
            timeout=10,
        )
        status = resp.status_code
    except httpx.HTTPError:
        status = 0
    return status, (time.perf_counter() - began) * 1000


def baseline(gateway: str, token: str) -> float:
    """The list page's median latency at rest (ms), before the load."""
    return statistics.median(probe(gateway, token)[1] for _ in range(20))


def recovery(gateway: str, token: str, rest_ms: float) -> dict:
    """Seconds from the load's end to the first of RECOVERED_IN_A_ROW answers that are 200
    and within 3 times the rest latency (probing every 0.1 s, for a minute at most)."""
    began, streak, first_ok = time.monotonic(), 0, None
    while time.monotonic() - began < 60:
        at = time.monotonic() - began
        status, ms = probe(gateway, token)
        if status == 200 and ms <= 3 * rest_ms + 5:
            first_ok = at if streak == 0 else first_ok
            streak += 1
            if streak == RECOVERED_IN_A_ROW:
                return {"seconds": round(first_ok, 2), "rest_p50_ms": round(rest_ms, 1)}
        else:
            streak = 0
        time.sleep(0.1)
    return {"seconds": None, "rest_p50_ms": round(rest_ms, 1)}


def verdict(report: dict, overload: bool) -> dict:
    total = next(r for r in report["routes"] if r["route"] == "all routes")
    worst = max(m["growth_pct"] for m in report["memory"].values())
    result = {
        "5xx": total["5xx"],
        "5xx_not_503": total["5xx_not_503"],
        "no_answer": total["no_answer"],
        "max_rss_growth_pct": worst,
    }
    answered = total["no_answer"] == 0 and report["exited"] is None
    if overload:
        result["recovery_s"] = report["recovery"]["seconds"]
        recovered = result["recovery_s"] is not None and result["recovery_s"] <= RECOVERY_LIMIT_S
        result["met"] = answered and total["5xx_not_503"] == 0 and recovered
    else:
        result["met"] = answered and total["5xx"] == 0 and worst < GROWTH_LIMIT_PCT
    return result


def run(
    env: dict[str, str], stack: devstack.Stack, args: argparse.Namespace, stamp: str, log_dir: Path
) -> dict:
    gateway = f"http://127.0.0.1:{env['GATEWAY_PORT']}"
    report: dict = {
        "started": time.strftime("%Y-%m-%d %H:%M:%S UTC", time.gmtime()),
        "users": args.users,
        "minutes": args.minutes,
        "tickets": args.tickets,
        "pace": args.pace,
        "overload": args.overload,
        "machine": machine(),
    }
    report["seed_seconds"] = asyncio.run(seed(dsn(env, "TICKETS_DATABASE_URL"), 1, args.tickets))
    who = people(env)
    asyncio.run(seed_people(env, who, args.tickets))
    report["sla_backfill_seconds"] = sla_backfill(env)
    print(
        f"seeded {args.tickets} tickets, {REQUESTERS} requesters, {len(who['agents'])} agents",
        flush=True,
    )
    out = HERE / "results" / f"soak-{stamp}.json"
    out.parent.mkdir(exist_ok=True)
    agent = who["agents"][0]["token"]
    rest_ms = baseline(gateway, agent)
    with tempfile.TemporaryDirectory(prefix="bench-soak-") as tmp:
        files = {
            "BENCH_SOAK_PEOPLE": f"{tmp}/people.json",
            "BENCH_SOAK_STATUS": f"{tmp}/st.json",
            "BENCH_SOAK_PACE": str(args.pace),
        }
        Path(files["BENCH_SOAK_PEOPLE"]).write_text(json.dumps(who))
        print(
            f"Locust: {args.users} users at pace {args.pace} for {args.minutes} min → {gateway}",
            flush=True,
        )
        samples = locust(gateway, args, out, files, stack)
        if args.overload:
            report["recovery"] = recovery(gateway, agent, rest_ms)
        raw = json.loads(Path(files["BENCH_SOAK_STATUS"]).read_text())
        report["refused"] = next((r for r in raw if r["route"] == "refused (503)"), None)
        report["routes"] = routes(raw)
    report["memory"] = memory_report(samples, args.minutes)
    report["samples"] = samples
    report["exited"] = stack.first_exit()
    report["log_errors"] = log_errors(log_dir)
    report["verdict"] = verdict(report, args.overload)
    out.write_text(json.dumps(report, indent=2))
    print(markdown(report["routes"], report["memory"]))
    print(f"\nrefused (503): {json.dumps(report['refused'])}")
    if args.overload:
        print(f"recovery after the load: {json.dumps(report['recovery'])}")
    for name, lines in report["log_errors"].items():
        print(f"\n{name} log:\n  " + "\n  ".join(lines))
    print(f"\n{json.dumps(report['verdict'])}\nwritten to {out} and {out.with_suffix('.html')}")
    return report


def main() -> None:
    parser = argparse.ArgumentParser()
    parser.add_argument("--users", type=int, default=200)
    parser.add_argument("--minutes", type=int, default=5)
    parser.add_argument("--spawn-rate", type=int, default=20)
    parser.add_argument("--tickets", type=int, default=5_000)
    parser.add_argument(
        "--pace",
        type=float,
        default=1.0,
        help="think times divided by this (10: ten times the requests)",
    )
    parser.add_argument(
        "--overload",
        action="store_true",
        help="beyond capacity: 503 allowed, recovery measured after the load",
    )
    args = parser.parse_args()
    stamp = time.strftime("%Y%m%dT%H%M%S")
    log_dir = ROOT / ".devstack" / "bench-logs" / f"soak-{stamp}"
    env = bench_env()
    devstack.prepare(env)
    stack = devstack.Stack(env, log_dir=log_dir)
    try:
        stack.start()
        report = run(env, stack, args, stamp, log_dir)
    finally:
        stack.stop()
        asyncio.run(_cleanup(env))
    sys.exit(0 if report["verdict"]["met"] else 1)


if __name__ == "__main__":
    main()
