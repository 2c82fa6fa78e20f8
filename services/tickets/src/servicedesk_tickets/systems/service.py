"""Systems as data: create one with the default workflow of contract §5 and the default
SLA policy of §13 (`create_default_sla_policy`). Nothing here commits. The `System`
model lives with the workflows (`workflows/models.py`)."""

from __future__ import annotations

from sqlalchemy import select
from sqlalchemy.dialects.postgresql import insert as pg_insert
from sqlalchemy.ext.asyncio import AsyncSession

from servicedesk_shared.principal import Principal
from servicedesk_tickets.audit import service as audit
from servicedesk_tickets.database import utcnow
from servicedesk_tickets.errors import SystemExists
from servicedesk_tickets.sla import policy as sla_policy
from servicedesk_tickets.systems.schemas import SystemCreate, SystemListed, SystemRead
from servicedesk_tickets.workflows import service as workflows
from servicedesk_tickets.workflows.models import System
from servicedesk_tickets.workflows.schemas import WorkflowWrite

_STAFF, _BOTH = ["agent"], ["requester", "agent"]
DEFAULT_WORKFLOW = WorkflowWrite.model_validate({
    "initial": "open",
    "states": [{"name": n, "terminal": n == "closed", "pauses_sla": n == "waiting"}
               for n in ("open", "in_progress", "waiting", "resolved", "closed")],
    "transitions": [
        {"from": "open", "to": "in_progress", "roles": _STAFF},
        {"from": "in_progress", "to": "waiting", "roles": _STAFF},
        {"from": "waiting", "to": "in_progress", "roles": _STAFF},
        {"from": "in_progress", "to": "resolved", "roles": _STAFF},
        {"from": "open", "to": "closed", "roles": _BOTH},
        {"from": "resolved", "to": "closed", "roles": _BOTH},
        {"from": "resolved", "to": "open", "roles": ["requester"]},
    ],
})  # fmt: skip


async def create_default_sla_policy(session: AsyncSession, *, system: str) -> None:
    """Give a new system the default SLA policy (contract §13)."""
    await sla_policy.create_default_policy(session, system=system)


async def get_all(session: AsyncSession) -> list[SystemListed]:
    rows = await session.execute(select(System.code, System.name).order_by(System.code))
    return [SystemListed(name=code, description=name) for code, name in rows]


async def create(session: AsyncSession, *, data: SystemCreate, actor: Principal) -> SystemRead:
    """The system with the default workflow (and SLA policy); a taken code → 409."""
    row = {"code": data.code, "name": data.name, "initial_state": DEFAULT_WORKFLOW.initial,
           "updated_at": utcnow()}  # fmt: skip
    inserted = await session.scalar(
        pg_insert(System).values(**row).on_conflict_do_nothing().returning(System.code)
    )
    if inserted is None:
        raise SystemExists(f"System {data.code!r} exists")
    await workflows.write(session, system=data.code, data=DEFAULT_WORKFLOW)
    await create_default_sla_policy(session, system=data.code)
    created = await workflows.get(session, system=data.code)
    new = {"name": data.name, **created.model_dump(by_alias=True)}
    audit.record(session, actor=actor, action="system.created", object_type="system",
                 object_id=data.code, new=new)  # fmt: skip
    return SystemRead(code=data.code, name=data.name, workflow=created)
