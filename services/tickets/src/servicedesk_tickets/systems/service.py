"""Systems as data. Auth owns them (`POST /api/systems` there); on its `system.created`
tickets gives the new system a row, the default workflow of contract §5 and the default
SLA policy of §13 (`add_defaults`), keeping whatever the system already has. Nothing here
commits. The `System` model lives with the workflows (`workflows/models.py`)."""

from __future__ import annotations

from sqlalchemy import exists, select
from sqlalchemy.dialects.postgresql import insert as pg_insert
from sqlalchemy.ext.asyncio import AsyncSession

from servicedesk_tickets.audit import service as audit
from servicedesk_tickets.database import utcnow
from servicedesk_tickets.sla import policy as sla_policy
from servicedesk_tickets.workflows import service as workflows
from servicedesk_tickets.workflows.models import System, WorkflowState
from servicedesk_tickets.workflows.schemas import WorkflowWrite

_STAFF, _BOTH = ["agent"], ["requester", "agent"]
DEFAULT_WORKFLOW = WorkflowWrite.model_validate(
    {
        "initial": "open",
        "states": [
            {"name": n, "terminal": n == "closed", "pauses_sla": n == "waiting"}
            for n in ("open", "in_progress", "waiting", "resolved", "closed")
        ],
        "transitions": [
            {"from": "open", "to": "in_progress", "roles": _STAFF},
            {"from": "in_progress", "to": "waiting", "roles": _STAFF},
            {"from": "waiting", "to": "in_progress", "roles": _STAFF},
            {"from": "in_progress", "to": "resolved", "roles": _STAFF},
            {"from": "open", "to": "closed", "roles": _BOTH},
            {"from": "resolved", "to": "closed", "roles": _BOTH},
            {"from": "resolved", "to": "open", "roles": ["requester"]},
        ],
    }
)


async def add_defaults(session: AsyncSession, *, code: str, name: str, actor_id: str) -> bool:
    """The system's row, the default workflow (unless it has states) and the default SLA
    policy (unless it has one); True when the row was new. The row's insert waits on a
    concurrent one for the same code, so two deliveries never both write a workflow."""
    row = {
        "code": code,
        "name": name,
        "initial_state": DEFAULT_WORKFLOW.initial,
        "updated_at": utcnow(),
    }
    added = await session.scalar(
        pg_insert(System).values(**row).on_conflict_do_nothing().returning(System.code)
    )
    if not await session.scalar(select(exists().where(WorkflowState.system == code))):
        await workflows.write(session, system=code, data=DEFAULT_WORKFLOW)
    await sla_policy.create_default_policy(session, system=code)
    if added:
        audit.record(
            session,
            actor=None,
            action="system.created",
            object_type="system",
            object_id=code,
            new={"name": name, "created_by": actor_id},
        )
    return added is not None
