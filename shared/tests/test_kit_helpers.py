"""The small kit pieces each service used to write for itself: the consumer registry, the
typed parse of an event, the sort-key check and the strict request model."""

from __future__ import annotations

import uuid
from datetime import UTC, datetime
from types import SimpleNamespace
from typing import Annotated, Literal

import pytest
from pydantic import ValidationError

from servicedesk_shared.backoff import delay
from servicedesk_shared.events import SystemCreated, UserRolesChanged, parse_as
from servicedesk_shared.messaging.consumer import handlers_by_event
from servicedesk_shared.messaging.envelope import Envelope
from servicedesk_shared.types import Omittable, Patch, Strict, known_sort


async def _one(*_: object) -> None: ...


async def _other(*_: object) -> None: ...


def test_the_registry_maps_each_type_a_module_names_to_its_handler() -> None:
    sla = SimpleNamespace(EVENTS=("ticket.sla.warning", "ticket.sla.breached"), handle=_one)
    created = SimpleNamespace(EVENTS=("ticket.created",), handle=_other)
    assert handlers_by_event(sla, created) == {
        "ticket.sla.warning": _one,
        "ticket.sla.breached": _one,
        "ticket.created": _other,
    }


def test_a_type_two_modules_claim_is_refused() -> None:
    first = SimpleNamespace(EVENTS=("user.updated",), handle=_one)
    second = SimpleNamespace(EVENTS=("user.registered", "user.updated"), handle=_other)
    with pytest.raises(ValueError, match=r"'user\.updated' is handled by two"):
        handlers_by_event(first, second)


def _envelope(kind: str, data: dict) -> Envelope:
    return Envelope.model_validate(
        {
            "id": str(uuid.uuid4()),
            "type": kind,
            "version": 1,
            "occurred_at": datetime.now(UTC).isoformat(),
            "producer": "auth",
            "data": data,
        }
    )


def test_parse_as_gives_the_payload_typed_and_refuses_another_type() -> None:
    data = {"code": "NET", "name": "Network", "actor_id": str(uuid.uuid4())}
    event = _envelope("system.created", data)
    payload = parse_as(event, SystemCreated)
    assert (payload.code, payload.name) == ("NET", "Network")
    with pytest.raises(TypeError, match=r"system\.created carries SystemCreated"):
        parse_as(event, UserRolesChanged)


class Params(Strict):
    sort: Annotated[Literal["name", "-name", "age", "-age"], known_sort(("name", "age"))] = "name"


def test_an_unknown_sort_key_is_named_with_the_keys_there_are() -> None:
    assert Params(sort="-age").sort == "-age"
    with pytest.raises(ValidationError) as caught:
        Params(sort="-shoe_size")
    error = caught.value.errors()[0]
    assert error["type"] == "unknown_sort"
    assert error["msg"] == "unknown sort key '-shoe_size'; one of: name, age (`-` for descending)"


def test_a_strict_model_refuses_an_unknown_field_by_name() -> None:
    with pytest.raises(ValidationError) as caught:
        Params.model_validate({"sort": "name", "srot": "age"})
    assert [(e["type"], e["loc"]) for e in caught.value.errors()] == [
        ("extra_forbidden", ("srot",))
    ]


def test_the_backoff_doubles_from_base_and_stops_at_the_cap() -> None:
    assert [delay(step, base=0.2, cap=5.0) for step in range(7)] == [
        0.2,
        0.4,
        0.8,
        1.6,
        3.2,
        5.0,
        5.0,
    ]
    assert delay(-1, base=0.5, cap=8.0) == 0.25  # auth's throttle starts below its base
    assert delay(10**6, base=0.2, cap=10.0) == 10.0  # a day of failures: the cap, no overflow
    assert delay(3, base=1.0) == 8.0  # no cap given: none


class Rename(Patch):
    title: Omittable[str] = None
    note: str | None = None


def test_a_patch_body_tells_left_out_from_null() -> None:
    assert Rename.model_validate({}).changes() == {}
    assert Rename.model_validate({"note": None}).changes() == {"note": None}
    assert Rename.model_validate({"title": "New"}).changes() == {"title": "New"}
    with pytest.raises(ValidationError) as caught:
        Rename.model_validate({"title": None})
    error = caught.value.errors()[0]
    assert (error["loc"], error["msg"]) == (("title",), "Value error, cannot be null")
    schema = Rename.model_json_schema()["properties"]["title"]
    assert schema["anyOf"] == [{"type": "string"}, {"type": "null"}]  # documented as before
