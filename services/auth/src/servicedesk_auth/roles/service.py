"""Systems and per-system roles. Global admins and superusers may set any role; a system
admin only roles in the systems where they are admin."""

from __future__ import annotations

from sqlalchemy import select
from sqlalchemy.dialects.postgresql import insert as pg_insert
from sqlalchemy.ext.asyncio import AsyncSession

from servicedesk_auth.database import utcnow
from servicedesk_auth.denylist import DenyList
from servicedesk_auth.errors import Forbidden, SystemExists, UnknownSystem
from servicedesk_auth.outbox import service as outbox
from servicedesk_auth.roles.models import SYSTEM_ROLES, RoleChange, System, SystemRole
from servicedesk_auth.roles.schemas import RoleAssignment, SystemCreate, SystemCreated
from servicedesk_auth.users.models import User
from servicedesk_auth.users.service import bump_directory_version, bump_token_version
from servicedesk_shared import events
from servicedesk_shared.errors import Unprocessable
from servicedesk_shared.logging import request_id_var, security_event

RANK = {role: rank for rank, role in enumerate(SYSTEM_ROLES)}


async def get_all(session: AsyncSession) -> list[System]:
    return list(await session.scalars(select(System).order_by(System.name)))


async def create_system(session: AsyncSession, *, data: SystemCreate, actor: User) -> SystemCreated:
    """The new system (a taken code → 409), its security event and `system.created`, in
    this transaction; tickets gives it the default workflow and SLA policy on the event."""
    inserted = await session.scalar(
        pg_insert(System)
        .values(name=data.code, description=data.name, created_at=utcnow())
        .on_conflict_do_nothing()
        .returning(System.name)
    )
    if inserted is None:
        raise SystemExists(f"System {data.code!r} exists")
    security_event("system_created", actor=str(actor.id), system=data.code, title=data.name)
    event = events.SystemCreated(code=data.code, name=data.name, actor_id=str(actor.id))
    outbox.record(session, event=event)
    return SystemCreated(code=data.code, name=data.name)


def managed_systems(actor: User) -> set[str] | None:
    """The systems whose roles `actor` may set; None means every one."""
    if actor.is_superuser or actor.is_admin:
        return None
    return {system for system, role in actor.systems.items() if role == "admin"}


def authorize(actor: User, systems: set[str], *, target: str = "") -> set[str] | None:
    """The actor's managed systems, when they cover `systems`; else 403 and a security event."""
    scope = managed_systems(actor)
    if scope is not None and (not scope or systems - scope):
        security_event(
            "access_denied", user_id=str(actor.id), target=target, systems=sorted(systems)
        )
        raise Forbidden("You may only set roles in systems where you are admin")
    return scope


async def validate(session: AsyncSession, assignments: list[RoleAssignment]) -> dict[str, str]:
    wanted = {a.system: a.role for a in assignments}
    if len(wanted) != len(assignments):
        raise Unprocessable("Each system may appear only once", code="duplicate_system")
    known = set(await session.scalars(select(System.name).where(System.name.in_(wanted))))
    unknown = sorted(set(wanted) - known)
    if unknown:
        raise UnknownSystem(f"Unknown system: {', '.join(unknown)}")
    return wanted


def apply(target: User, new: dict[str, str]) -> None:
    """Make the target's rows match `new`, updating in place (no delete-and-insert)."""
    for row in list(target.system_roles):
        if row.system not in new:
            target.system_roles.remove(row)
        else:
            row.role = new[row.system]
    have = {row.system for row in target.system_roles}
    for system in sorted(set(new) - have):
        target.system_roles.append(SystemRole(user_id=target.id, system=system, role=new[system]))


def is_demotion(old: dict[str, str], new: dict[str, str]) -> bool:
    return any(RANK[new.get(system, "user")] < RANK[role] for system, role in old.items())


async def set_roles(
    session: AsyncSession,
    *,
    target: User,
    assignments: list[RoleAssignment],
    actor: User,
    denylist: DenyList,
) -> User:
    """Replace the target's roles (within the actor's systems); audited, with an event."""
    wanted = await validate(session, assignments)
    scope = authorize(actor, set(wanted), target=str(target.id))
    old = target.systems
    kept = {s: r for s, r in old.items() if scope is not None and s not in scope}
    new = {**kept, **wanted}
    if new == old:
        return target
    apply(target, new)
    if is_demotion(old, new):
        bump_token_version(session, user=target, denylist=denylist)
    await bump_directory_version(session, user=target)
    record(session, actor=actor, target=target, old=old, new=new)
    await session.flush()
    return target


def record(
    session: AsyncSession, *, actor: User, target: User, old: dict[str, str], new: dict[str, str]
) -> None:
    """The audit row, the security event and `user.roles_changed` (with the target's new
    directory version), all in this transaction."""
    request_id = request_id_var.get()
    session.add(
        RoleChange(actor_id=actor.id, target_id=target.id, old=old, new=new, request_id=request_id)
    )
    security_event("roles_changed", actor=str(actor.id), target=str(target.id), old=old, new=new)
    event = events.UserRolesChanged(
        user_id=str(target.id),
        actor_id=str(actor.id),
        systems=new,
        previous=old,
        version=target.directory_version,
    )
    outbox.record(session, event=event)
