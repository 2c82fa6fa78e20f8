"""docs/asyncapi.yaml is the generated document, byte for byte, covers every §6 event, and
each message's payload schema is its model's (shared/tests/test_event_producers.py holds
the producers to the models)."""

from __future__ import annotations

from pathlib import Path

import yaml

from servicedesk_shared.events import EVENTS
from servicedesk_shared.events.asyncapi import REF, render

DOC = Path(__file__).resolve().parents[2] / "docs" / "asyncapi.yaml"
CONTRACT_TYPES = {
    "ticket.created",
    "ticket.updated",
    "ticket.status_changed",
    "ticket.assigned",
    "ticket.deleted",
    "comment.added",
    "user.registered",
    "user.updated",
    "user.roles_changed",
    "ai.triage.suggested",
    "ticket.sla.warning",
    "ticket.sla.breached",
    "system.created",  # an addition to §6's list: auth owns systems, tickets follows
}


def test_the_committed_document_is_the_generated_one():
    assert DOC.read_text() == render(), (
        "docs/asyncapi.yaml is stale: python -m servicedesk_shared.events.asyncapi "
        "> docs/asyncapi.yaml"
    )


def test_every_contract_event_has_a_message_and_an_operation():
    doc = yaml.safe_load(DOC.read_text())
    assert doc["asyncapi"] == "3.0.0"
    messages = doc["components"]["messages"]
    assert {m["name"] for m in messages.values()} == CONTRACT_TYPES == set(EVENTS)
    routed = {key for op in doc["operations"].values() for key in op["bindings"]["amqp"]["cc"]}
    assert routed == CONTRACT_TYPES
    exchange = doc["channels"]["events"]["bindings"]["amqp"]["exchange"]
    assert exchange == {
        "name": "servicedesk.events",
        "type": "topic",
        "durable": True,
        "autoDelete": False,
        "vhost": "/",
    }
    assert all(op["bindings"]["amqp"]["deliveryMode"] == 2 for op in doc["operations"].values())


def test_every_reference_resolves_and_payloads_use_the_wire_names():
    doc = yaml.safe_load(DOC.read_text())
    for ref in _refs(doc):
        node = doc
        for part in ref.removeprefix("#/").split("/"):
            node = node[part]
    changed = doc["components"]["schemas"]["TicketStatusChanged"]["properties"]
    assert {"from", "to"} <= set(changed)  # aliases, as on the wire
    comment = doc["components"]["schemas"]["CommentAdded"]
    assert "body" not in comment["required"]  # internal notes carry none


def test_each_message_carries_its_payload_models_schema():
    """Read from the committed document (not re-rendered): what third parties see is what
    the models the producers build (`EVENTS`) write."""
    doc = yaml.safe_load(DOC.read_text())
    schemas = doc["components"]["schemas"]
    messages = {m["name"]: m for m in doc["components"]["messages"].values()}
    for event_type, model in EVENTS.items():
        fixed = messages[event_type]["payload"]["allOf"][1]["properties"]
        assert fixed["type"] == {"const": event_type}
        assert fixed["data"] == {"$ref": REF.format(model=model.__name__)}
        schema = model.model_json_schema(by_alias=True, ref_template=REF)
        for name, used in schema.pop("$defs", {}).items():
            assert schemas[name] == used, f"{event_type}: {name} differs from the model"
        assert schemas[model.__name__] == schema, f"{event_type}: the document differs"


def _refs(node) -> list[str]:
    if isinstance(node, dict):
        found = [node["$ref"]] if "$ref" in node else []
        return found + [r for value in node.values() for r in _refs(value)]
    if isinstance(node, list):
        return [r for value in node for r in _refs(value)]
    return []
