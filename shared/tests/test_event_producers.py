"""Producers build their events from the payload models, and the producers, the models and
docs/asyncapi.yaml agree.

- The services' source, read with `ast`: every `outbox.record(...)` hands over a payload
  model (no `type_=`, no `data=`, no dict), only the outbox helpers call `add_event`, and
  which models each service builds is read from its call sites.
- Those models are exactly `EVENTS` (every documented event has a producer, every produced
  one is documented), each published by the service the document names.
- The wire: for a representative input, each model's `data` is, byte for byte, the dict the
  producers wrote before models built it (spelled out below as that code built it), and
  it validates against the document's schema.
"""

from __future__ import annotations

import ast
import importlib
import json
from dataclasses import dataclass, field
from datetime import UTC, datetime
from functools import cache
from pathlib import Path

import jsonschema
import pytest
import yaml

from servicedesk_shared import events
from servicedesk_shared.events import EVENTS, as_data, event_type

ROOT = Path(__file__).resolve().parents[2]
DOC = ROOT / "docs" / "asyncapi.yaml"
MODELS = {model.__name__: model for model in EVENTS.values()}
HELPERS = ("add_event", "event_row", "new_event", "OutboxEvent")  # only outbox/service.py
RECORDS = ("record", "record_row")  # a service's outbox helpers: the row added, or its values


@dataclass
class Module:
    """One source file of a service, with what it takes to tell which payload model an
    expression builds: its functions' return annotations and its `from … import`s."""

    path: Path
    tree: ast.Module
    functions: dict[str, ast.FunctionDef | ast.AsyncFunctionDef] = field(default_factory=dict)
    imports: dict[str, str] = field(default_factory=dict)

    @property
    def service(self) -> str:
        return self.path.relative_to(ROOT).parts[1]  # services/<service>/src/…


@cache
def modules() -> dict[str, Module]:
    """Every module of every service, by dotted name."""
    found = {}
    for path in sorted(ROOT.glob("services/*/src/**/*.py")):
        src = next(p for p in path.parents if p.name == "src")
        name = ".".join(path.relative_to(src).with_suffix("").parts).removesuffix(".__init__")
        found[name] = _read(path)
    return found


def _read(path: Path) -> Module:
    module = Module(path, ast.parse(path.read_text(), filename=str(path)))
    for node in ast.walk(module.tree):
        if isinstance(node, ast.FunctionDef | ast.AsyncFunctionDef):
            module.functions[node.name] = node
        elif isinstance(node, ast.ImportFrom) and node.module:
            module.imports.update({a.asname or a.name: node.module for a in node.names})
    return module


def _name(node: ast.expr) -> str | None:
    """`f` and `module.f` → "f"."""
    if isinstance(node, ast.Name):
        return node.id
    return node.attr if isinstance(node, ast.Attribute) else None


def _model(module: Module, node: ast.expr) -> str | None:
    """The payload model `node` (`Model` or `events.Model`) names, if it names one imported
    from servicedesk_shared (an API schema of the same name is not one)."""
    name = _name(node)
    head = _name(node.value) if isinstance(node, ast.Attribute) else name
    shared = module.imports.get(head or "", "").startswith("servicedesk_shared")
    return name if name in MODELS and shared else None


def _named_models(module: Module, annotation: ast.expr | None) -> set[str]:
    """The payload models an annotation names (`A | B` too)."""
    nodes = ast.walk(annotation) if annotation is not None else ()
    return {model for node in nodes if (model := _model(module, node))}


def _returned_models(module: Module, name: str | None) -> set[str]:
    """What function `name` (defined in the module, or imported into it from another
    module of the services) says it returns, if payload models."""
    if name in module.functions:
        return _named_models(module, module.functions[name].returns)
    source = modules().get(module.imports.get(name or "", ""))
    if source is None or name not in source.functions:
        return set()
    return _named_models(source, source.functions[name].returns)


def built_models(module: Module, expr: ast.expr, scope) -> set[str]:
    """The payload models `expr` evaluates to, as far as the source tells (a model built
    there, a helper's return annotation, a parameter's, a local assigned from one of
    those); empty when it cannot tell."""
    if isinstance(expr, ast.Await):
        return built_models(module, expr.value, scope)
    if isinstance(expr, ast.Call):
        model = _model(module, expr.func)
        return {model} if model else _returned_models(module, _name(expr.func))
    if isinstance(expr, ast.Name) and scope is not None:
        args = scope.args.posonlyargs + scope.args.args + scope.args.kwonlyargs
        params = [a.annotation for a in args if a.arg == expr.id]
        if params:
            return _named_models(module, params[0])
        assigned = [
            node.value
            for node in ast.walk(scope)
            if isinstance(node, ast.Assign) and any(_name(t) == expr.id for t in node.targets)
        ]
        found = [built_models(module, value, scope) for value in assigned]
        return set().union(*found) if found and all(found) else set()
    return set()


@dataclass
class Site:
    """An `outbox.record(...)` or `outbox.record_row(...)` call and the function it is in
    (None: module level)."""

    module: Module
    call: ast.Call
    scope: ast.FunctionDef | ast.AsyncFunctionDef | None

    def __str__(self) -> str:
        return f"{self.module.path.relative_to(ROOT)}:{self.call.lineno}"

    @property
    def event(self) -> ast.expr | None:
        given = [k.value for k in self.call.keywords if k.arg == "event"]
        return given[0] if given else (self.call.args[1] if len(self.call.args) > 1 else None)


def outbox_calls() -> list[Site]:
    """Every `outbox.record(...)` and `outbox.record_row(...)` in the services."""
    return [
        Site(module, node, scope)
        for module in modules().values()
        for scope, node in _walk(module.tree, None)
        if _is_outbox_record(node)
    ]


def _walk(node: ast.AST, scope):
    """Every node below `node`, with the innermost function it is in."""
    for child in ast.iter_child_nodes(node):
        inner = child if isinstance(child, ast.FunctionDef | ast.AsyncFunctionDef) else scope
        yield inner, child
        yield from _walk(child, inner)


def _is_outbox_record(node: ast.AST) -> bool:
    return (
        isinstance(node, ast.Call)
        and isinstance(node.func, ast.Attribute)
        and node.func.attr in RECORDS
        and _name(node.func.value) == "outbox"
    )


def problem(site: Site) -> str | None:
    """Why a call site does not hand over a payload model, or None."""
    keywords = {k.arg for k in site.call.keywords}
    if keywords & {"type_", "data"}:
        return "passes type_=/data=: build the payload model instead"
    event = site.event
    if event is None:
        return "hands over no event"
    literal = isinstance(event, ast.Dict | ast.DictComp | ast.Constant | ast.JoinedStr)
    if literal or (isinstance(event, ast.Call) and _name(event.func) == "dict"):
        return "hands over a dict or a string, not a payload model"
    if not built_models(site.module, event, site.scope):
        return "cannot tell which payload model: build it here or annotate the helper's return"
    return None


def test_every_outbox_call_hands_over_a_payload_model():
    sites = outbox_calls()
    assert len(sites) >= len(EVENTS), "the walk found too few producers: is it broken?"
    problems = [f"{site}: {why}" for site in sites if (why := problem(site))]
    assert not problems, "\n".join(problems)


def test_only_the_outbox_helpers_write_events():
    """So every event goes through `outbox.record`, the calls the test above checks."""
    stray = [
        f"{module.path.relative_to(ROOT)}:{node.lineno} calls {_name(node.func)}"
        for module in modules().values()
        if module.path.parent.name != "outbox" or module.path.name != "service.py"
        for node in ast.walk(module.tree)
        if isinstance(node, ast.Call) and _name(node.func) in HELPERS
    ]
    assert not stray, "\n".join(stray)


def produced() -> dict[str, set[str]]:
    """Which payload models each service builds for its outbox, by service."""
    by_service: dict[str, set[str]] = {}
    for site in outbox_calls():
        models = built_models(site.module, site.event, site.scope) if site.event else set()
        by_service.setdefault(site.module.service, set()).update(models)
    return by_service


def test_the_services_produce_the_documented_events_as_the_document_names_their_producers():
    messages = yaml.safe_load(DOC.read_text())["components"]["messages"]
    by_service = produced()
    assert set().union(*by_service.values()) == set(MODELS) == set(messages)
    for service, models in by_service.items():
        helper = importlib.import_module(f"servicedesk_{service.replace('-', '_')}.outbox.service")
        assert service == helper.PRODUCER  # the envelope's `producer`
        for model in models:
            described = messages[model]["description"]
            assert described == f"Published by the {service} service.", (model, service)


def test_the_ticket_snapshot_carries_every_field_of_the_apis_ticket():
    """Producers hand over `TicketRead`'s dump; a field the snapshot lacked would be
    dropped from every ticket event (payloads ignore unknown fields)."""
    from servicedesk_tickets.ticketing.schemas import TicketRead  # a service's: import here

    assert set(TicketRead.model_fields) == set(events.TicketSnapshot.model_fields)


def test_the_outbox_refuses_anything_but_a_registered_model():
    class Unregistered(events.Payload):
        note: str

    for wrong in ({"ticket": {}}, Unregistered(note="x")):
        with pytest.raises(TypeError, match="not an event payload"):
            event_type(wrong)


# The wire as the producers wrote it before models built it. Times: the ticket snapshot's
# as `TicketRead.model_dump(mode="json")` writes them (`Z`); comment and SLA times by
# `datetime.isoformat()` (`+00:00`).
USER, AGENT = "5d0f5e0e-6b1a-4c39-9c55-0d7f2e6a1b11", "9a3c1f7e-2b4d-4e8a-8f60-3c2d1e0f9a22"
AT = datetime(2026, 12, 4, 13, 5, 7, 250000, tzinfo=UTC)
DUE = datetime(2026, 12, 7, 9, 30, tzinfo=UTC)
TICKET = {
    "id": 42,
    "title": "Printer on fire",
    "description": "Third floor",
    "status": "open",
    "priority": "high",
    "category": None,
    "system": "TTS",
    "requester_id": USER,
    "assignee_id": None,
    "created_at": "2026-12-04T13:05:07.250000Z",
    "updated_at": "2026-12-04T13:06:00Z",
}
ASSIGNED = {**TICKET, "assignee_id": AGENT}
CHANGES = {"assignee_id": {"old": None, "new": AGENT}, "title": {"old": "Printer", "new": "P"}}
COMMENT = {
    "ticket": TICKET,
    "comment_id": 7,
    "author_id": AGENT,
    "internal": False,
    "created_at": AT.isoformat(),
    "body": "On it",
}
NOTE = {**{k: v for k, v in COMMENT.items() if k != "body"}, "internal": True}
SLA = {"ticket": TICKET, "target": "first_response", "due_at": DUE.isoformat()}
TRIAGE = {"ticket_id": 42, "status": "failed", "model": "llama3.2:1b", "error": "timed out"}
UNSET = {"category", "priority", "title", "summary", "confidence"}  # null when failed
PERSON = {"user_id": USER, "username": "ann", "email": "ann@example.com"}
PERSON |= {"display_name": "Ann", "is_active": True}
FLAGS = {"is_admin": False, "is_superuser": False}
ROLES = {"user_id": USER, "actor_id": AGENT, "systems": {"TTS": "agent"}, "previous": {}}
SYSTEM = {"code": "HR", "name": "Human resources", "actor_id": AGENT}
MOVE = {"from_status": "new", "to_status": "open", "changed_by": AGENT}
ASSIGN = {"previous_assignee_id": None, "assignee_id": AGENT, "assigned_by": USER}
FIELDS = {k: events.FieldChange(**v) for k, v in CHANGES.items()}

WIRE = [
    (events.TicketCreated(ticket=TICKET), {"ticket": TICKET}),
    (
        events.TicketUpdated(ticket=ASSIGNED, changes=FIELDS),
        {"ticket": ASSIGNED, "changes": CHANGES},
    ),
    (events.TicketAssigned(ticket=ASSIGNED, **ASSIGN), {"ticket": ASSIGNED, **ASSIGN}),
    (
        events.TicketStatusChanged(ticket=TICKET, **MOVE),
        {"ticket": TICKET, "from": "new", "to": "open", "changed_by": AGENT},
    ),
    (events.TicketDeleted(ticket=TICKET), {"ticket": TICKET}),
    (events.CommentAdded(**{**COMMENT, "created_at": AT}), COMMENT),
    (events.CommentAdded(**{**NOTE, "created_at": AT, "body": None}), NOTE),
    (events.UserRegistered(**PERSON, version=1), {**PERSON, "version": 1}),
    (events.UserUpdated(**PERSON, **FLAGS, version=3), {**PERSON, **FLAGS, "version": 3}),
    (events.UserRolesChanged(**ROLES, version=4), {**ROLES, "version": 4}),
    (events.SystemCreated(**SYSTEM), SYSTEM),
    (
        events.AiTriageSuggested(**TRIAGE),
        {**TRIAGE, **dict.fromkeys(UNSET), "possible_duplicates": []},
    ),
    (
        events.TicketSlaWarning(**{**SLA, "due_at": DUE}, elapsed_ratio=0.8),
        {**SLA, "elapsed_ratio": 0.8},
    ),
    (
        events.TicketSlaBreached(ticket=TICKET, target="resolution"),
        {**SLA, "target": "resolution", "due_at": None, "elapsed_ratio": None},
    ),
]


def _id(case) -> str:
    payload, data = case
    return f"{event_type(payload)}{'-internal' if data.get('internal') else ''}"


def test_the_wire_cases_cover_every_event_type():
    assert {event_type(payload) for payload, _ in WIRE} == set(EVENTS)


@pytest.mark.parametrize("case", WIRE, ids=_id)
def test_a_model_writes_the_data_the_producer_wrote_before(case):
    payload, before = case
    # sort_keys: the outbox keeps `data` as JSONB, which does not keep key order
    assert json.dumps(as_data(payload), sort_keys=True) == json.dumps(before, sort_keys=True)


@pytest.mark.parametrize("case", WIRE, ids=_id)
def test_the_data_validates_against_the_documents_schema(case):
    payload, data = case
    schemas = yaml.safe_load(DOC.read_text())["components"]["schemas"]
    root = {**schemas[type(payload).__name__], "components": {"schemas": schemas}}
    jsonschema.Draft202012Validator(root).validate(data)
