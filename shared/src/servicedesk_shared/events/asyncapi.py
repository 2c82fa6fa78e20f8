"""The AsyncAPI 3.0 document of every integration event, generated from the payload models.

    python -m servicedesk_shared.events.asyncapi > docs/asyncapi.yaml

One channel, the durable topic exchange `servicedesk.events`; one message per routing key
(= event type), each the §6 envelope with its `data` schema taken from the frozen v1
model (`model_json_schema(by_alias=True)`); one `send` operation per event type with the
AMQP bindings (topic exchange, durable, persistent delivery, `mandatory`). A test in
shared/tests keeps the committed file equal to this output.
"""

from __future__ import annotations

import inspect
import sys
from typing import Any

import yaml

from servicedesk_shared.events.payloads import EVENTS, Payload
from servicedesk_shared.messaging.envelope import Envelope
from servicedesk_shared.messaging.topology import EVENTS_EXCHANGE

REF = "#/components/schemas/{model}"
BINDING_VERSION = "0.3.0"
PRODUCERS = {
    "ticket": "tickets",
    "comment": "tickets",
    "user": "auth",
    "system": "auth",
    "ai": "ai-assist",
}
DESCRIPTION = """\
Integration events of the service desk (contract §6). Every event is published, at least
once, as a persistent JSON message on the durable topic exchange `servicedesk.events`
with the event type as routing key, after the change it records has committed
(transactional outbox). Consumers must be idempotent on the envelope's `id`: the same
event may arrive more than once. Unknown fields must be ignored; a breaking change comes
as a new `version`. Bind your own durable queue to the exchange (see docs/events.md)."""


def producer(event_type: str) -> str:
    return PRODUCERS.get(event_type.split(".", 1)[0], "unknown")


def payload_schemas() -> dict[str, Any]:
    """Every payload model's JSON Schema (and the models they use), by model name."""
    schemas: dict[str, Any] = {}
    for model in EVENTS.values():
        schema = model.model_json_schema(by_alias=True, ref_template=REF)
        schemas.update(schema.pop("$defs", {}))
        schemas[model.__name__] = schema
    return dict(sorted(schemas.items()))


def envelope_schema() -> dict[str, Any]:
    schema = Envelope.model_json_schema(by_alias=True, ref_template=REF)
    schema["description"] = "The §6 envelope every event travels in."
    return schema


def message(event_type: str, model: type[Payload]) -> dict[str, Any]:
    body = {
        "allOf": [
            {"$ref": REF.format(model="Envelope")},
            {
                "type": "object",
                "properties": {
                    "type": {"const": event_type},
                    "version": {"const": 1},
                    "data": {"$ref": REF.format(model=model.__name__)},
                },
            },
        ]
    }
    return {
        "name": event_type,
        "title": model.__name__,
        "summary": inspect.cleandoc(model.__doc__ or ""),
        "description": f"Published by the {producer(event_type)} service.",
        "contentType": "application/json",
        "correlationId": {"$ref": "#/components/correlationIds/requestId"},
        "headers": {"$ref": REF.format(model="AmqpHeaders")},
        "payload": body,
        "bindings": {"amqp": {"messageType": event_type, "bindingVersion": BINDING_VERSION}},
    }


def operation(event_type: str, model: type[Payload]) -> dict[str, Any]:
    return {
        "action": "send",
        "channel": {"$ref": "#/channels/events"},
        "summary": f"`{event_type}` is published with routing key `{event_type}`.",
        "messages": [{"$ref": f"#/channels/events/messages/{model.__name__}"}],
        "bindings": {
            "amqp": {
                "cc": [event_type],
                "deliveryMode": 2,
                "mandatory": True,
                "bindingVersion": BINDING_VERSION,
            }
        },
    }


def channel() -> dict[str, Any]:
    messages = {
        m.__name__: {"$ref": f"#/components/messages/{m.__name__}"} for m in EVENTS.values()
    }
    exchange = {
        "name": EVENTS_EXCHANGE,
        "type": "topic",
        "durable": True,
        "autoDelete": False,
        "vhost": "/",
    }
    return {
        "address": EVENTS_EXCHANGE,
        "title": "The service desk's event exchange",
        "description": "Durable topic exchange; the routing key is the event type.",
        "messages": messages,
        "bindings": {
            "amqp": {"is": "routingKey", "exchange": exchange, "bindingVersion": BINDING_VERSION}
        },
    }


def amqp_headers() -> dict[str, Any]:
    return {
        "type": "object",
        "description": "AMQP message headers (the same values are in the body).",
        "properties": {"version": {"type": "integer"}, "producer": {"type": "string"}},
    }


def document() -> dict[str, Any]:
    names = {t: m.__name__ for t, m in EVENTS.items()}
    return {
        "asyncapi": "3.0.0",
        "info": {"title": "Service Desk events", "version": "1.0.0", "description": DESCRIPTION},
        "defaultContentType": "application/json",
        "servers": {
            "local": {
                "host": "127.0.0.1:5672",
                "protocol": "amqp",
                "protocolVersion": "0.9.1",
                "description": "The broker named by AMQP_URL (default: the local RabbitMQ).",
            }
        },
        "channels": {"events": channel()},
        "operations": {f"publish{names[t]}": operation(t, m) for t, m in EVENTS.items()},
        "components": {
            "messages": {m.__name__: message(t, m) for t, m in EVENTS.items()},
            "schemas": {
                "Envelope": envelope_schema(),
                "AmqpHeaders": amqp_headers(),
                **payload_schemas(),
            },
            "correlationIds": {
                "requestId": {
                    "description": "The X-Request-ID of the request that caused the event.",
                    "location": "$message.payload#/correlation_id",
                }
            },
        },
    }


class _Dumper(yaml.SafeDumper):
    """Multi-line strings as literal blocks (`|`), so the document reads like prose."""


def _string(dumper: yaml.SafeDumper, value: str) -> yaml.ScalarNode:
    style = "|" if "\n" in value else None
    return dumper.represent_scalar("tag:yaml.org,2002:str", value, style=style)


_Dumper.add_representer(str, _string)


def render() -> str:
    return yaml.dump(document(), Dumper=_Dumper, sort_keys=False, allow_unicode=True, width=100)


def main() -> None:
    sys.stdout.write(render())


if __name__ == "__main__":
    main()
