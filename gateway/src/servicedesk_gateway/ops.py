"""`GET /api/admin/ops`: what an operator looks at first, for global admins only.

    services      each upstream's `/readyz` (its dependencies' states), and the gateway's Redis
    queues        ready messages and consumers per queue: an AMQP passive `queue.declare`
                  per name in `GATEWAY_OPS_QUEUES` (no management plugin needed;
                  https://www.rabbitmq.com/docs/queues#declaration-and-property-equivalence)
    outbox        unpublished rows and the oldest one's age per producer, from the
                  services' `/metrics` (`outbox_pending`, `outbox_lag_seconds`)
    events        published / consumed / dead-lettered per service, from the same metrics
    rate_limited  429s per bucket counted by this gateway process since it started
    login_failures  `auth_login_failures_total` of the auth process

Services are asked on their own ports (the gateway's upstream URLs; with several replicas,
the first that answers speaks for its service), never through the
public route table, which refuses `/metrics` and `/readyz`. Everything is fetched at once
with short timeouts; a part that cannot be read says so instead of failing the page.
"""

from __future__ import annotations

import asyncio
import contextlib
import logging
from datetime import UTC, datetime
from typing import Any

import aio_pika
import aiohttp
import orjson
from aio_pika.exceptions import ChannelClosed
from prometheus_client.parser import text_string_to_metric_families

from servicedesk_gateway.metrics import RATE_LIMITED

log = logging.getLogger(__name__)
TIMEOUT_S = 3.0
BUCKETS = ("login", "register", "anon", "user", "admin")
Doc = dict[str, Any]


async def _get(session: aiohttp.ClientSession, url: str) -> tuple[int, bytes]:
    timeout = aiohttp.ClientTimeout(total=TIMEOUT_S)
    async with session.get(url, timeout=timeout) as resp:
        return resp.status, await resp.read()


async def service_health(session: aiohttp.ClientSession, name: str, bases: list[str]) -> Doc:
    """The `/readyz` of the first replica that answers it."""
    for base in bases:
        try:
            status, body = await _get(session, f"{base}/readyz")
            data = orjson.loads(body)
            deps = data.get("dependencies") if isinstance(data, dict) else None
            deps = deps if isinstance(deps, dict) else {}
            state = "ok" if status == 200 else f"not ready ({status})"
            break
        except (TimeoutError, aiohttp.ClientError, ValueError) as exc:
            state, deps = f"down: {type(exc).__name__}", {}
    return {"name": name, "status": state, "dependencies": deps}


async def first_metrics(session: aiohttp.ClientSession, bases: list[str]) -> dict[str, list]:
    """The metrics of the first replica that gives them (each counts its own process only)."""
    for base in bases:
        families = await service_metrics(session, base)
        if families:
            return families
    return {}


async def service_metrics(session: aiohttp.ClientSession, base: str) -> dict[str, list]:
    """`{family: [(labels, value), ...]}` of the service's Prometheus text; {} if unreadable."""
    try:
        status, body = await _get(session, f"{base}/metrics")
        if status != 200:
            return {}
        families = text_string_to_metric_families(body.decode())
        return {
            f.name: [(s.labels, s.value) for s in f.samples if not s.name.endswith("_created")]
            for f in families
        }
    except (TimeoutError, aiohttp.ClientError, ValueError, UnicodeDecodeError) as exc:
        log.warning("ops: metrics unreadable", extra={"url": base, "error": repr(exc)})
        return {}


async def queue_depths(amqp_url: str, names: list[str]) -> list[Doc]:
    """Ready messages and consumers of each queue, by passive declare on its own channel
    (a missing queue closes the channel it was asked on, not the connection)."""
    try:
        connection = await asyncio.wait_for(aio_pika.connect(amqp_url), TIMEOUT_S)
    except Exception as exc:  # any failure to connect is "unavailable", never a 500
        log.warning("ops: broker unreachable", extra={"error": repr(exc)})
        return [_queue(n, "unavailable") for n in names]
    async with connection:
        return [await _one_queue(connection, name) for name in names]


async def _one_queue(connection, name: str) -> Doc:
    channel = await connection.channel()
    try:
        queue = await asyncio.wait_for(channel.declare_queue(name, passive=True), TIMEOUT_S)
        result = queue.declaration_result
        return _queue(name, "ok", result.message_count, result.consumer_count)
    except ChannelClosed:
        return _queue(name, "missing")
    except TimeoutError:
        return _queue(name, "unavailable")
    finally:
        if not channel.is_closed:
            with contextlib.suppress(Exception):
                await channel.close()


def _queue(name: str, status: str, messages: int | None = None, consumers=None) -> Doc:
    return {"name": name, "status": status, "messages": messages, "consumers": consumers}


def _sum(samples: list) -> int:
    return int(sum(value for _, value in samples))


def summarise(metrics: dict[str, dict[str, list]]) -> Doc:
    """Outbox, events and login failures out of each service's metric families."""
    outbox: dict[str, Doc] = {}
    events = []
    for service, families in metrics.items():
        lags = {
            labels.get("producer", service): v
            for labels, v in families.get("outbox_lag_seconds", [])
        }
        for labels, pending in families.get("outbox_pending", []):
            producer = labels.get("producer", service)
            outbox[producer] = {
                "service": producer,
                "pending": int(pending),
                "lag_seconds": float(lags.get(producer, 0.0)),
            }
        if families:
            events.append(
                {
                    "service": service,
                    "published": _sum(families.get("events_published", [])),
                    "consumed": _sum(families.get("events_consumed", [])),
                    "dead_lettered": _sum(families.get("events_dead_lettered", [])),
                }
            )
    auth = metrics.get("auth")
    failures = _sum(auth.get("auth_login_failures", [])) if auth else None
    return {
        "outbox": sorted(outbox.values(), key=lambda o: o["service"]),
        "events": events,
        "login_failures": failures,
    }


def rate_limited() -> dict[str, int]:
    counts = dict.fromkeys(BUCKETS, 0)
    for family in RATE_LIMITED.collect():
        for sample in family.samples:
            if sample.name.endswith("_total"):
                counts[sample.labels["bucket"]] = int(sample.value)
    return counts


async def collect(
    session: aiohttp.ClientSession,
    bases: dict[str, list[str]],
    *,
    amqp_url: str,
    queues: list[str],
    redis_state: str,
) -> Doc:
    names = list(bases)
    health, metrics, depths = await asyncio.gather(
        asyncio.gather(*(service_health(session, n, bases[n]) for n in names)),
        asyncio.gather(*(first_metrics(session, bases[n]) for n in names)),
        queue_depths(amqp_url, queues),
    )
    gateway = {"name": "gateway", "status": redis_state, "dependencies": {"redis": redis_state}}
    return {
        "generated_at": datetime.now(UTC).isoformat(),
        "services": [gateway, *health],
        "queues": depths,
        **summarise(dict(zip(names, metrics, strict=True))),
        "rate_limited": rate_limited(),
    }


def _obj(props: dict[str, Any], required: list[str] | None = None) -> Doc:
    return {"type": "object", "properties": props, "required": required or list(props)}


_INT = {"type": "integer"}
_NUM_OR_NULL = {"anyOf": [{"type": "number"}, {"type": "null"}]}
_INT_OR_NULL = {"anyOf": [{"type": "integer"}, {"type": "null"}]}
_STR = {"type": "string"}
SCHEMA = _obj(
    {
        "generated_at": {"type": "string", "format": "date-time"},
        "services": {
            "type": "array",
            "items": _obj(
                {
                    "name": _STR,
                    "status": _STR,
                    "dependencies": {"type": "object", "additionalProperties": _STR},
                }
            ),
        },
        "queues": {
            "type": "array",
            "items": _obj(
                {
                    "name": _STR,
                    "status": {"enum": ["ok", "missing", "unavailable"]},
                    "messages": _INT_OR_NULL,
                    "consumers": _INT_OR_NULL,
                }
            ),
        },
        "outbox": {
            "type": "array",
            "items": _obj({"service": _STR, "pending": _INT_OR_NULL, "lag_seconds": _NUM_OR_NULL}),
        },
        "events": {
            "type": "array",
            "items": _obj(
                {"service": _STR, "published": _INT, "consumed": _INT, "dead_lettered": _INT}
            ),
        },
        "rate_limited": {"type": "object", "additionalProperties": _INT},
        "login_failures": _INT_OR_NULL,
    }
)
PATH = {
    "get": {
        "tags": ["operations"],
        "summary": "Service health, queue depths, outbox lag, rate-limit rejections",
        "description": "Global admins only. Served by the gateway itself.",
        "operationId": "ops_report",
        "security": [{"HTTPBearer": []}],
        "responses": {
            "200": {
                "description": "The report",
                "content": {
                    "application/json": {"schema": {"$ref": "#/components/schemas/OpsReport"}}
                },
            }
        },
    }
}
