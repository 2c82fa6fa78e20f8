"""JSON log lines written while a consumer handles an event name the event and carry its
correlation id (the request id of the request that caused it), so one id follows a request
through every service and event it causes."""

from __future__ import annotations

import io
import logging

import orjson
import pytest
from sqlalchemy import text

from servicedesk_devtools.testing import throwaway_database
from servicedesk_shared.db import create_engine, session_factory
from servicedesk_shared.logging import JsonFormatter
from servicedesk_shared.messaging.consumer import Consumer
from servicedesk_shared.messaging.envelope import Envelope, new_event
from servicedesk_shared.messaging.inbox import inbox_table_sql

log = logging.getLogger("servicedesk.test.handler")


class Delivery:
    """What the consumer needs of an aio-pika incoming message."""

    def __init__(self, body: bytes) -> None:
        self.body, self.headers, self.message_id = body, {}, "m-1"
        self.outcome: str | None = None

    async def ack(self) -> None:
        self.outcome = "ack"

    async def nack(self, requeue: bool = True) -> None:
        self.outcome = "nack"

    async def reject(self, requeue: bool = False) -> None:
        self.outcome = "reject"


@pytest.fixture
def lines():
    """The JSON lines logged meanwhile, formatted as every service formats them."""
    stream = io.StringIO()
    handler = logging.StreamHandler(stream)
    handler.setFormatter(JsonFormatter("test"))
    root = logging.getLogger()
    root.addHandler(handler)
    level, root.level = root.level, logging.INFO
    yield lambda: [orjson.loads(line) for line in stream.getvalue().splitlines()]
    root.removeHandler(handler)
    root.setLevel(level)


@pytest.fixture
async def sessions():
    async with throwaway_database("desk_shared_logging", None) as url:
        engine = create_engine(url)
        async with engine.begin() as conn:
            await conn.execute(text(inbox_table_sql()))
        yield session_factory(engine)
        await engine.dispose()


async def test_a_consumers_log_lines_carry_the_event_and_its_correlation_id(sessions, lines):
    async def handler(session, event: Envelope) -> None:
        log.info("handled")

    consumer = Consumer(
        name="test.logging",
        amqp_url="amqp://unused/",
        sessions=sessions,
        handlers={"ticket.created": handler},
    )
    event = new_event(
        "ticket.created", {"id": 1}, producer="tickets", correlation_id="req-0042abcd"
    )
    delivery = Delivery(orjson.dumps(event))
    await consumer.on_message(delivery)
    log.info("after")
    assert delivery.outcome == "ack"
    handled, after = [line for line in lines() if line["logger"] == log.name]
    assert handled["msg"] == "handled"
    assert handled["correlation_id"] == handled["request_id"] == "req-0042abcd"
    assert handled["event_id"] == event["id"] and handled["event_type"] == "ticket.created"
    assert not {"correlation_id", "event_id", "event_type", "request_id"} & after.keys()
