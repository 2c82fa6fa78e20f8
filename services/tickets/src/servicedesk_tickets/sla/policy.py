"""SLA policies: read one (the default when none is stored), replace one (validated,
audited), create the default for a new system. Nothing here commits."""

from __future__ import annotations

from datetime import datetime
from typing import Any

from sqlalchemy import select, update
from sqlalchemy.dialects.postgresql import insert as pg_insert
from sqlalchemy.ext.asyncio import AsyncSession

from servicedesk_tickets.audit import service as audit
from servicedesk_tickets.audit.service import Actor
from servicedesk_tickets.database import utcnow
from servicedesk_tickets.errors import SystemNotFound
from servicedesk_tickets.sla import validate
from servicedesk_tickets.sla.models import SlaDeadline, SlaPolicy
from servicedesk_tickets.sla.schemas import PolicyRead, PolicyWrite
from servicedesk_tickets.ticketing.models import Ticket
from servicedesk_tickets.workflows.models import System

DEFAULT = PolicyWrite.model_validate(
    {
        "calendar": {
            "timezone": "UTC",
            "working_days": [1, 2, 3, 4, 5],
            "start": "09:00",
            "end": "17:00",
            "holidays": [],
        },
        "targets": {
            p: {"first_response_minutes": f, "resolution_minutes": r}
            for p, f, r in (
                ("urgent", 30, 240),
                ("high", 120, 480),
                ("medium", 480, 1440),
                ("low", 1440, 2400),
            )
        },
    }
)


def _read(system: str, row: SlaPolicy | None) -> PolicyRead:
    if row is None:
        return PolicyRead(system=system, **DEFAULT.model_dump())
    return PolicyRead(
        system=system,
        calendar=row.calendar,
        targets=row.targets,
        updated_at=row.updated_at,
        updated_by=row.updated_by,
    )


async def get(session: AsyncSession, *, system: str) -> PolicyRead:
    """The system's policy (the default when none is stored); unknown system → 404."""
    if await session.get(System, system) is None:
        raise SystemNotFound()
    return _read(system, await session.get(SlaPolicy, system))


async def _upsert(session: AsyncSession, *, system: str, data: PolicyWrite, by: str | None):
    values: dict[str, Any] = {**data.model_dump(mode="json"), "updated_by": by}
    stamp: datetime = utcnow()
    statement = pg_insert(SlaPolicy).values(system=system, updated_at=stamp, **values)
    await session.execute(
        statement.on_conflict_do_update(
            index_elements=[SlaPolicy.system], set_={**values, "updated_at": stamp}
        )
    )
    session.expire_all()


async def _reschedule(session: AsyncSession, *, system: str) -> None:
    """Make the system's pending deadlines due now: the scheduler re-derives each ticket
    under the new policy and moves the row to its real moment (or emits it)."""
    tickets = select(Ticket.id).where(Ticket.system == system, Ticket.deleted_at.is_(None))
    await session.execute(
        update(SlaDeadline)
        .where(SlaDeadline.emitted_at.is_(None), SlaDeadline.ticket_id.in_(tickets))
        .values(due_at=utcnow())
        .execution_options(synchronize_session=False)
    )


async def replace(
    session: AsyncSession, *, system: str, data: PolicyWrite, actor: Actor
) -> PolicyRead:
    """Replace the system's policy: 422 naming every problem; audited old -> new."""
    old = await get(session, system=system)
    found = validate.problems(data)
    if found:
        raise validate.InvalidSlaPolicy(errors=found)
    await _upsert(session, system=system, data=data, by=actor.id)
    await _reschedule(session, system=system)
    new = await get(session, system=system)
    audit.replaced(session, kind="sla_policy", system=system, actor=actor, old=old, new=new)
    return new


async def create_default_policy(session: AsyncSession, *, system: str) -> None:
    """Give a new system the default policy (contract §13); keeps one already stored."""
    values = DEFAULT.model_dump(mode="json")
    await session.execute(
        pg_insert(SlaPolicy)
        .values(system=system, updated_at=utcnow(), **values)
        .on_conflict_do_nothing()
    )
