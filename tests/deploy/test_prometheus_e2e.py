"""A real Prometheus (Debian's package) scrapes every service of the end-to-end stack —
`make run`'s processes — with deploy/prometheus's configuration and alert rules; after
some traffic, every expression of the Grafana dashboard returns data, every rule
evaluates cleanly, and every metric the dashboard and the rules name is in a real scrape.
"""

from __future__ import annotations

import asyncio
import json
import re
import shutil
import subprocess
import uuid
from functools import partial
from pathlib import Path

import aio_pika
import httpx
import pytest
import yaml
from prometheus_client.parser import text_string_to_metric_families

from servicedesk_devtools import devstack, testing
from servicedesk_shared.messaging.topology import declare_events_exchange

from ..conftest import ADMIN, bearer, free_port, login, next_ip, register_and_login, wait_http

pytestmark = pytest.mark.e2e

ROOT = Path(__file__).resolve().parents[2]
PROMETHEUS = ROOT / "deploy" / "prometheus"
DASHBOARD = ROOT / "deploy" / "grafana" / "dashboards" / "servicedesk.json"
POISON = b"\x00not an envelope (prometheus e2e)"
PROMQL_WORDS = {
    "by",
    "without",
    "on",
    "ignoring",
    "group_left",
    "group_right",
    "and",
    "or",
    "unless",
    "offset",
    "bool",
    "inf",
    "nan",
}
SYNTHETIC = {"up"}  # made by Prometheus itself, not by a service


def dashboard_expressions() -> list[str]:
    panels = json.loads(DASHBOARD.read_text())["panels"]
    return [t["expr"] for p in panels for t in p.get("targets", [])]


def rule_expressions() -> list[str]:
    groups = yaml.safe_load((PROMETHEUS / "alerts.yml").read_text())["groups"]
    return [r["expr"] for g in groups for r in g["rules"]]


def for_prometheus(expr: str) -> str:
    """Grafana's interval variable replaced by a window that fits a 1 s scrape."""
    return expr.replace("$__rate_interval", "30s")


def metric_names(expr: str) -> set[str]:
    """The metric names a PromQL expression reads (strings, label matchers, grouping
    clauses, ranges and function names taken out)."""
    text = re.sub(r'"(?:[^"\\]|\\.)*"', "", expr)
    text = re.sub(r"\{[^}]*\}", "", text)
    text = re.sub(r"\b(by|without|on|ignoring|group_left|group_right)\s*\([^)]*\)", "", text)
    text = re.sub(r"\[[^\]]*\]", "", text)
    names = set(re.findall(r"\b([a-zA-Z_:][a-zA-Z0-9_:]*)\b(?!\s*\()", text))
    return {n for n in names if n.lower() not in PROMQL_WORDS and not n.startswith("__")}


def test_metric_names_are_read_out_of_promql():
    expr = (
        "histogram_quantile(0.99, sum by (service, le) (rate(http_request_duration_seconds_bucket"
        '{route!~"/api/x"}[5m]))) > 1 and on() sum(rate(foo_total[1m] offset 5m)) or vector(0)'
    )
    assert metric_names(expr) == {"http_request_duration_seconds_bucket", "foo_total"}


def scraped_names(text: str) -> tuple[set[str], set[str]]:
    """(every name the exposition declares, the names that have samples)."""
    declared, sampled = set(), set()
    for family in text_string_to_metric_families(text):
        suffixes = {"counter": ["_total"], "histogram": ["_bucket", "_sum", "_count"]}.get(
            family.type, [""]
        )
        declared |= {family.name + s for s in suffixes}
        sampled |= {s.name for s in family.samples}
    return declared | sampled, sampled


def scrape_targets(stack) -> dict[str, str]:
    """job → host:port, as deploy/prometheus/prometheus.yml names the jobs."""
    targets = {}
    for service in devstack.installed_services():
        port = stack.env["GATEWAY_METRICS_PORT" if service.name == "gateway" else service.port_var]
        targets[service.name] = f"127.0.0.1:{port}"
    return targets


def local_config(tmp_path: Path, targets: dict[str, str]) -> Path:
    """deploy's configuration with its targets pointed at this stack, scraping every
    second; the rules file as it is."""
    config = yaml.safe_load((PROMETHEUS / "prometheus.yml").read_text())
    config["global"].update(scrape_interval="1s", evaluation_interval="1s")
    jobs = {job["job_name"]: job for job in config["scrape_configs"]}
    assert set(targets) <= set(jobs), "a service of the stack has no scrape job"
    for name, job in jobs.items():
        job["static_configs"] = [{"targets": [targets[name]]}] if name in targets else []
    shutil.copy(PROMETHEUS / "alerts.yml", tmp_path / "alerts.yml")
    path = tmp_path / "prometheus.yml"
    path.write_text(yaml.safe_dump(config))
    return path


@pytest.fixture
def prometheus(prometheus_binary, stack, tmp_path):
    port = free_port()
    config = local_config(tmp_path, scrape_targets(stack))
    log = (tmp_path / "prometheus.log").open("wb")
    proc = subprocess.Popen(
        [
            prometheus_binary,
            f"--config.file={config}",
            f"--storage.tsdb.path={tmp_path / 'data'}",
            f"--web.listen-address=127.0.0.1:{port}",
            "--log.level=warn",
        ],
        stdout=log,
        stderr=subprocess.STDOUT,
    )
    try:
        wait_http(f"http://127.0.0.1:{port}/-/ready", timeout=30, proc=proc)
        yield f"http://127.0.0.1:{port}"
    finally:
        proc.terminate()
        proc.wait(15)
        log.close()


# Awaits `check()` until truthy; fails (TimeoutError) after 30 s.
eventually = partial(testing.eventually, timeout=30, every=0.25)


async def traffic(stack) -> None:
    """Something for every panel: sign-ups and logins (some failing, some limited), a
    ticket moved through its workflow (events, consumers, a notification, AI triage), AI
    suggestions (a miss, then a hit), and a poison message that gets dead-lettered."""
    async with httpx.AsyncClient(
        base_url=stack.gateway, timeout=30, headers={"X-Forwarded-For": next_ip()}
    ) as client:
        _, _, tokens = await register_and_login(client, "prom")
        user = bearer(tokens)
        admin = bearer(await login(client, ADMIN["username"], ADMIN["password"]))
        ticket = await client.post(
            "/api/tickets",
            json={"title": "VPN drops every hour", "description": "Since Monday, on Wi-Fi"},
            headers=user,
        )
        assert ticket.status_code == 201, ticket.text
        ticket_id = ticket.json()["id"]
        moved = await client.post(
            f"/api/tickets/{ticket_id}/transitions", json={"to": "in_progress"}, headers=admin
        )
        assert moved.status_code == 200, moved.text
        # Letters only: ai-assist masks digit runs before the prompt (and its cache key).
        word = "".join(c for c in uuid.uuid4().hex if c.isalpha())
        body = {"description": f"The VPN drops every hour ({word})"}
        for _ in range(2):  # a cache miss, then a hit
            suggested = await client.post("/api/ai/suggest", json=body, headers=user)
            assert suggested.status_code == 200, suggested.text
        assert (await client.get("/api/tickets/999999999", headers=user)).status_code == 404

        async def notified() -> bool:
            inbox = await client.get("/api/notifications", headers=user)
            return any(n.get("ticket_id") == ticket_id for n in inbox.json()["items"])

        await eventually(notified)
    async with httpx.AsyncClient(
        base_url=stack.gateway, timeout=30, headers={"X-Forwarded-For": next_ip()}
    ) as stranger:
        statuses = [
            (
                await stranger.post("/api/token", json={"username": "nobody", "password": "x"})
            ).status_code
            for _ in range(7)
        ]
        assert 401 in statuses and 429 in statuses, statuses
    await dead_letter_one(stack)


async def dead_letter_one(stack) -> None:
    """Publish a message no consumer can parse; notifications dead-letters it. Take it
    back out of notifications.dlq afterwards so no other test meets it."""
    connection = await aio_pika.connect_robust(stack.env["AMQP_URL"])
    try:
        channel = await connection.channel()
        exchange = await declare_events_exchange(channel)
        await exchange.publish(
            aio_pika.Message(POISON, delivery_mode=2), routing_key="ticket.status_changed"
        )
        dlq = await channel.declare_queue("notifications.dlq", passive=True)
        held = []

        async def found() -> bool:
            message = await dlq.get(fail=False)
            if message is None:
                return False
            if message.body == POISON:
                await message.ack()
                return True
            held.append(message)  # someone else's: back to the queue below
            return False

        await eventually(found)
        for message in held:
            await message.nack(requeue=True)
    finally:
        await connection.close()


async def query(client: httpx.AsyncClient, expr: str) -> list[dict]:
    resp = await client.get("/api/v1/query", params={"query": expr})
    body = resp.json()
    assert resp.status_code == 200 and body["status"] == "success", (expr, body)
    return body["data"]["result"]


def finite(result: list[dict]) -> bool:
    return any(s["value"][1] not in ("NaN", "+Inf", "-Inf") for s in result)


async def test_prometheus_scrapes_the_stack_and_the_dashboard_shows_data(stack, prometheus):
    async with httpx.AsyncClient(base_url=prometheus, timeout=10) as prom:

        async def all_up() -> bool:
            targets = (await prom.get("/api/v1/targets")).json()["data"]["activeTargets"]
            return len(targets) == len(scrape_targets(stack)) and all(
                t["health"] == "up" for t in targets
            )

        await eventually(all_up, timeout=20)
        # Twice, a few scrapes apart: rates need a counter seen before and after it moved.
        await traffic(stack)
        await asyncio.sleep(3)
        await traffic(stack)
        missing: list[str] = []

        async def every_panel_has_data() -> bool:
            missing.clear()
            for expr in dashboard_expressions():
                if not finite(await query(prom, for_prometheus(expr))):
                    missing.append(expr)
            return not missing

        try:
            await eventually(every_panel_has_data, timeout=30, every=1)
        except TimeoutError:
            raw = {
                name: await query(prom, f"{name}[1m]")
                for expr in missing
                for name in metric_names(expr)
            }
            pytest.fail(f"no data for: {missing}; the series in Prometheus: {raw}")

        rules = (await prom.get("/api/v1/rules")).json()["data"]["groups"]
        evaluated = [r for g in rules for r in g["rules"]]
        assert len(evaluated) == len(rule_expressions())
        for rule in evaluated:
            assert rule["health"] in ("ok", "unknown") and not rule.get("lastError"), rule


async def test_every_metric_the_dashboard_and_rules_name_is_in_a_real_scrape(stack):
    wanted = set()
    for expr in [*dashboard_expressions(), *rule_expressions()]:
        wanted |= metric_names(expr)
    wanted -= SYNTHETIC
    declared, sampled = set(), set()
    async with httpx.AsyncClient(timeout=10) as client:
        for job, target in scrape_targets(stack).items():
            resp = await client.get(f"http://{target}/metrics")
            assert resp.status_code == 200, job
            names = scraped_names(resp.text)
            declared |= names[0]
            sampled |= names[1]
    assert not wanted - declared, f"not exported by any service: {sorted(wanted - declared)}"
    # Counters that move only when something breaks (or an SLA is missed) may have no
    # sample yet; all else has.
    only_on_failure = {
        "events_publish_failures_total",
        "gateway_upstream_errors_total",
        "events_dead_lettered_total",
        "auth_login_failures_total",
        "tickets_sla_warnings_total",
        "tickets_sla_breaches_total",
    }
    assert not (wanted - sampled) - only_on_failure, sorted(wanted - sampled)
