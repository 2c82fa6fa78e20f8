"""What the services' own token check costs per request (issue "Trust in depth").

Every signed-in request on tickets, notifications and ai-assist now verifies the token
(HS256 + the typed claims model) and asks Redis whether it was revoked: one EVALSHA of
`servicedesk_shared.revocation`'s script through the service's redis-py client. This
measures both, in-process, the way a request pays them (one at a time, on the event loop
uvicorn uses), against the machine's local Redis under a throw-away key prefix:

    .venv/bin/python bench/revocation.py [--n 20000]

The goal: the revocation check adds under 0.3 ms at p50.
"""

from __future__ import annotations

import argparse
import json
import platform
import statistics
import subprocess
import time
import uuid
from pathlib import Path

import uvloop

from servicedesk_devtools.testing import REDIS_URL, delete_redis_prefix, make_access_token
from servicedesk_shared import tokens
from servicedesk_shared.principal import TokenGuard
from servicedesk_shared.redis import Keys, create_redis
from servicedesk_shared.revocation import RevocationCheck

RESULTS = Path(__file__).resolve().parent / "results"
SETTINGS = tokens.TokenSettings(
    tokens.KeyRing.from_string("bench:" + "b" * 64), "servicedesk-auth", "servicedesk"
)


def percentiles(samples: list[float]) -> dict[str, float]:
    ordered = sorted(samples)
    pick = lambda q: ordered[min(len(ordered) - 1, int(q * len(ordered)))] * 1000  # noqa: E731
    return {
        "p50_ms": pick(0.50),
        "p90_ms": pick(0.90),
        "p99_ms": pick(0.99),
        "mean_ms": statistics.fmean(ordered) * 1000,
    }


async def timed(n: int, call) -> list[float]:
    for _ in range(min(500, n)):  # warm-up: connection, script cache, branch predictors
        await call()
    samples = []
    for _ in range(n):
        started = time.perf_counter()
        await call()
        samples.append(time.perf_counter() - started)
    return samples


async def main(n: int) -> dict:
    prefix = f"bench-revocation-{uuid.uuid4().hex[:8]}:"
    redis = create_redis(REDIS_URL)
    keys = Keys(prefix)
    await redis.set(keys.denylist_ready, 1)
    user = str(uuid.uuid4())
    await redis.set(keys.token_version(user), 0)
    raw = make_access_token(SETTINGS, user)
    claims = tokens.verify_access(SETTINGS, raw)
    check = RevocationCheck(redis, keys)
    guard = TokenGuard(SETTINGS, check)

    async def verify_only() -> None:
        tokens.verify_access(SETTINGS, raw)

    try:
        rows = {
            "redis PING (one round trip, for scale)": await timed(n, redis.ping),
            "verify_access (HS256 + typed claims)": await timed(n, verify_only),
            "revocation check (1 EVALSHA)": await timed(n, lambda: check.ensure_good(claims)),
            "whole TokenGuard.principal": await timed(n, lambda: guard.principal(raw)),
        }
    finally:
        await redis.aclose()
        await delete_redis_prefix(prefix)
    return {name: percentiles(samples) for name, samples in rows.items()}


def report(results: dict, n: int) -> None:
    commit = subprocess.run(
        ["git", "rev-parse", "--short", "HEAD"], capture_output=True, text=True, check=False
    ).stdout.strip()
    print(f"n={n} per row, commit {commit}, {platform.python_version()}, uvloop")
    print(f"{'what':45} {'p50':>9} {'p90':>9} {'p99':>9}")
    for name, row in results.items():
        print(f"{name:45} {row['p50_ms']:8.3f}ms {row['p90_ms']:8.3f}ms {row['p99_ms']:8.3f}ms")
    RESULTS.mkdir(exist_ok=True)
    out = RESULTS / f"revocation-{time.strftime('%Y%m%d-%H%M%S')}.json"
    out.write_text(json.dumps({"n": n, "commit": commit, "results": results}, indent=2))


if __name__ == "__main__":
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--n", type=int, default=20000)
    args = parser.parse_args()
    report(uvloop.run(main(args.n)), args.n)
