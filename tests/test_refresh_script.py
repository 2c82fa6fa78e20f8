"""`scripts/refresh.py` run as a program: a thin wrapper over `servicedesk_refresh`
(tools/refresh, whose own tests cover its pieces). Here tickets' `GET /internal/tickets`
and ai-assist's `POST /internal/triage` are one small HTTP server in a thread, Redis is the
real one; tests/test_ai_e2e.py runs it against the whole stack."""

from __future__ import annotations

import json
import re
import subprocess
import sys
import threading
from collections.abc import Iterator
from http.server import BaseHTTPRequestHandler, ThreadingHTTPServer
from typing import Any
from urllib.parse import parse_qs, urlsplit

import pytest

from servicedesk_devtools.testing import REDIS_URL, delete_redis_prefix, unique

from .conftest import ROOT

SCRIPT = ROOT / "scripts" / "refresh.py"
TICKETS_KEY, AI_KEY = "script-tickets-key", "script-ai-key"
TICKETS = [
    {
        "id": i,
        "title": f"Ticket number {i}",
        "description": "d",
        "updated_at": "2026-11-23T12:00:00Z",
    }
    for i in range(1, 6)
]


class Neighbours(BaseHTTPRequestHandler):
    """Both internal APIs: the open tickets in pages of two, and triage (200 always)."""

    triaged: list[int] = []

    def do_GET(self) -> None:
        url = urlsplit(self.path)
        if url.path != "/internal/tickets" or self.headers["X-API-Key"] != TICKETS_KEY:
            return self.answer(401, {"detail": "A valid X-API-Key header is required"})
        query = {k: v[0] for k, v in parse_qs(url.query).items()}
        after, limit = int(query.get("after", 0)), min(int(query["limit"]), 2)
        rest = [t for t in TICKETS if t["id"] > after]
        more = len(rest) > limit
        return self.answer(
            200, {"items": rest[:limit], "next": rest[limit - 1]["id"] if more else None}
        )

    def do_POST(self) -> None:
        body = json.loads(self.rfile.read(int(self.headers["Content-Length"])))
        if self.path != "/internal/triage" or self.headers["X-API-Key"] != AI_KEY:
            return self.answer(401, {"detail": "A valid X-API-Key header is required"})
        self.triaged.append(body["ticket_id"])
        return self.answer(200, {"status": "suggested"})

    def answer(self, status: int, body: dict[str, Any]) -> None:
        raw = json.dumps(body).encode()
        self.send_response(status)
        self.send_header("Content-Type", "application/json")
        self.send_header("Content-Length", str(len(raw)))
        self.end_headers()
        self.wfile.write(raw)

    def log_message(self, *args: Any) -> None:
        pass


@pytest.fixture
def neighbours() -> Iterator[str]:
    server = ThreadingHTTPServer(("127.0.0.1", 0), Neighbours)
    Neighbours.triaged = []
    thread = threading.Thread(target=server.serve_forever, daemon=True)
    thread.start()
    yield f"http://127.0.0.1:{server.server_address[1]}"
    server.shutdown()
    server.server_close()


@pytest.fixture
async def prefix() -> Any:
    name = unique("refresh-script") + ":"
    yield name
    await delete_redis_prefix(name)


def run(env: dict[str, str], *args: str) -> subprocess.CompletedProcess[str]:
    return subprocess.run(
        [sys.executable, str(SCRIPT), *args],
        env=env,
        capture_output=True,
        text=True,
        timeout=60,
        cwd=ROOT,
    )


def summary(out: str) -> dict[str, int]:
    block = out.split("Summary:", 1)[1]
    return {k: int(v) for k, v in re.findall(r"^  ([A-Za-z ()]+): (\d+)$", block, re.M)}


def script_env(url: str, prefix: str) -> dict[str, str]:
    return {
        "PATH": "/usr/bin:/bin",
        "REDIS_URL": REDIS_URL,
        "REDIS_KEY_PREFIX": prefix,
        "TICKETS_URL": f"{url},http://127.0.0.1:9",
        "TICKETS_API_KEYS": f"{TICKETS_KEY},other",
        "AI_ASSIST_URL": url,
        "AI_ASSIST_API_KEY": AI_KEY,
    }


def test_the_script_pages_through_tickets_then_skips_what_it_did(neighbours, prefix) -> None:
    env = script_env(neighbours, prefix)
    first = run(env, "--max-concurrency", "2")
    assert (first.returncode, first.stderr) == (0, "")
    assert first.stdout.startswith(
        "==================================================\nTicket Refresh Script\n"
        "Max Concurrency: 2\nMax Retries: 3\nDry Run: False\n"
        "==================================================\nConnected to Redis at redis://"
    )
    assert "Found 5 tickets to process" in first.stdout
    assert summary(first.stdout) == {
        "Total": 5,
        "Processed": 5,
        "Skipped (idempotent)": 0,
        "Errors": 0,
    }
    assert first.stdout.rstrip().endswith("=" * 50)
    assert sorted(Neighbours.triaged) == [1, 2, 3, 4, 5]

    second = run(env)
    assert second.returncode == 0
    assert summary(second.stdout) == {
        "Total": 5,
        "Processed": 0,
        "Skipped (idempotent)": 5,
        "Errors": 0,
    }
    assert "Ticket 3: skipped (idempotent)" in second.stdout
    assert len(Neighbours.triaged) == 5


def test_a_dry_run_asks_nothing(neighbours, prefix) -> None:
    result = run(script_env(neighbours, prefix), "--dry-run")
    assert result.returncode == 0, result.stderr
    assert "Dry Run: True" in result.stdout and "Ticket 1: would process" in result.stdout
    assert Neighbours.triaged == []


def test_a_refused_tickets_key_is_one_line_and_status_2(neighbours, prefix) -> None:
    env = script_env(neighbours, prefix) | {"TICKETS_API_KEYS": "wrong"}
    result = run(env)
    assert result.returncode == 2
    assert result.stderr.splitlines() == [
        f"refresh: tickets at {neighbours}: HTTP 401: A valid X-API-Key header is required; "
        "set TICKETS_API_KEY (one of TICKETS_API_KEYS)"
    ]


def test_bad_arguments_exit_2_with_a_message() -> None:
    result = run({"PATH": "/usr/bin:/bin"}, "--max-concurrency", "0")
    assert result.returncode == 2
    assert "error: argument --max-concurrency: must be at least 1" in result.stderr
