"""Workflows per system: read them, look up a move, replace one (validated, audited)."""

from __future__ import annotations

from sqlalchemy import delete, insert, select, update
from sqlalchemy.ext.asyncio import AsyncSession

from servicedesk_shared.principal import Principal
from servicedesk_tickets.audit import service as audit
from servicedesk_tickets.database import utcnow
from servicedesk_tickets.errors import InvalidWorkflow, SystemNotFound
from servicedesk_tickets.ticketing.models import Ticket
from servicedesk_tickets.workflows import validate
from servicedesk_tickets.workflows.models import System, WorkflowState, WorkflowTransition
from servicedesk_tickets.workflows.schemas import (
    StateSpec,
    TransitionSpec,
    WorkflowRead,
    WorkflowWrite,
)


async def initial_state(session: AsyncSession, *, system: str) -> str | None:
    """The state new tickets of `system` start in; None when the system is unknown."""
    return await session.scalar(select(System.initial_state).where(System.code == system))


async def transition_roles(
    session: AsyncSession, *, system: str, from_state: str, to_state: str
) -> list[str] | None:
    """The roles allowed to make this move, or None when the workflow has no such move."""
    query = select(WorkflowTransition.roles).where(
        WorkflowTransition.system == system,
        WorkflowTransition.from_state == from_state,
        WorkflowTransition.to_state == to_state,
    )
    return await session.scalar(query)


async def get_all(session: AsyncSession) -> list[WorkflowRead]:
    systems = (await session.scalars(select(System).order_by(System.code))).all()
    states = (await session.scalars(select(WorkflowState).order_by(WorkflowState.position))).all()
    moves = (await session.scalars(select(WorkflowTransition))).all()
    return [_read(s, states, moves) for s in systems]


async def get(session: AsyncSession, *, system: str) -> WorkflowRead:
    found = await session.get(System, system)
    if found is None:
        raise SystemNotFound()
    states = select(WorkflowState).where(WorkflowState.system == system)
    moves = select(WorkflowTransition).where(WorkflowTransition.system == system)
    return _read(
        found,
        list(await session.scalars(states.order_by(WorkflowState.position))),
        list(await session.scalars(moves)),
    )


def _read(system: System, states, moves) -> WorkflowRead:
    """The API shape of `system`'s workflow, from rows that may include other systems'."""
    code = system.code
    moves = sorted((m for m in moves if m.system == code), key=lambda m: (m.from_state, m.to_state))
    return WorkflowRead(
        system=code,
        initial=system.initial_state,
        states=[
            StateSpec(name=s.name, terminal=s.terminal, pauses_sla=s.pauses_sla)
            for s in states
            if s.system == code
        ],
        transitions=[
            TransitionSpec(from_=m.from_state, to=m.to_state, roles=m.roles) for m in moves
        ],
    )


async def _states_in_use(session: AsyncSession, *, system: str, data: WorkflowWrite) -> list[str]:
    keep = {s.name for s in data.states}
    used = await session.scalars(
        select(Ticket.status).distinct().where(Ticket.system == system, Ticket.deleted_at.is_(None))
    )
    return [f"state {s!r} is still used by tickets" for s in used if s not in keep]


async def replace(
    session: AsyncSession, *, system: str, data: WorkflowWrite, actor: Principal
) -> WorkflowRead:
    """Replace the workflow of `system`: 422 listing every problem; audited old -> new."""
    old = await get(session, system=system)
    found = validate.problems(data) + await _states_in_use(session, system=system, data=data)
    if found:
        raise InvalidWorkflow(errors=found)
    await write(session, system=system, data=data)
    new = await get(session, system=system)
    audit.replaced(session, kind="workflow", system=system, actor=actor, old=old, new=new)
    return new


async def write(session: AsyncSession, *, system: str, data: WorkflowWrite) -> None:
    """Swap the rows with Core statements, then expire what the session had loaded."""
    await session.execute(delete(WorkflowTransition).where(WorkflowTransition.system == system))
    await session.execute(delete(WorkflowState).where(WorkflowState.system == system))
    states = [
        {
            "system": system,
            "name": s.name,
            "terminal": s.terminal,
            "pauses_sla": s.pauses_sla,
            "position": i,
        }
        for i, s in enumerate(data.states)
    ]
    await session.execute(insert(WorkflowState), states)
    if data.transitions:
        moves = [
            {"system": system, "from_state": t.from_, "to_state": t.to, "roles": t.roles}
            for t in data.transitions
        ]
        await session.execute(insert(WorkflowTransition), moves)
    await session.execute(
        update(System)
        .where(System.code == system)
        .values(initial_state=data.initial, updated_at=utcnow())
    )
    session.expire_all()
