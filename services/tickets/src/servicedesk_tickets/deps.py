"""Request dependencies as `Annotated` aliases: the runtime, the transaction, the caller,
and the ticket in the path loaded through the visibility rule (or a 404).

The runtime, the caller and the key check are the shared ones (`servicedesk_shared.deps`).
`SessionDep` is tickets' own: the request's one transaction with the caller's address for
the audit entries (`transaction.request_transaction`); it commits after the handler
returns and before the response is sent. `ReadSessionDep` is for routes that only read:
no transaction at all (`servicedesk_shared.db.read_sessions`), so a read pays for its
statements and no BEGIN or COMMIT. `Connections` borrows a plain pooled asyncpg
connection inside the route (the list and the detail: `servicedesk_shared.reads`);
`ReadOnlyTicketDep` is the ticket in the path through the visibility rule, for the routes
under it that only read. `RetryableDep` is what a route that
takes an `Idempotency-Key` hands to `ticketing.idempotency.Retryable.once`.
"""

from __future__ import annotations

from collections.abc import AsyncIterator
from typing import Annotated

from fastapi import Depends, Header, Path, Request, Response
from sqlalchemy.ext.asyncio import AsyncSession

from servicedesk_shared.deps import Connections as Connections
from servicedesk_shared.deps import CurrentPrincipal, api_key_check, get_runtime
from servicedesk_shared.deps import get_connections as get_connections
from servicedesk_shared.principal import Principal
from servicedesk_tickets.database import MAX_BIGINT
from servicedesk_tickets.errors import NotAllowed
from servicedesk_tickets.runtime import Runtime
from servicedesk_tickets.ticketing import idempotency
from servicedesk_tickets.ticketing import service as tickets
from servicedesk_tickets.ticketing.models import Ticket
from servicedesk_tickets.transaction import request_transaction

# Dependencies are `async def` even when they do not await: FastAPI runs plain `def`
# dependencies in a thread pool, and a thread hop per dependency per request cost more CPU
# than the whole ticket insert (measured: 6.8 -> ~2 ms of CPU per create).

RuntimeDep = Annotated[Runtime, Depends(get_runtime)]
require_api_key = api_key_check("TICKETS_API_KEYS")


def client_ip(request: Request) -> str | None:
    """The TCP peer, or the gateway's X-Forwarded-For (uvicorn trusts 127.0.0.1 only)."""
    return request.client.host if request.client else None


async def get_session(request: Request, runtime: RuntimeDep) -> AsyncIterator[AsyncSession]:
    async with request_transaction(runtime.sessions, ip=client_ip(request)) as session:
        yield session


SessionDep = Annotated[AsyncSession, Depends(get_session, scope="function")]


async def get_stream_session(request: Request, runtime: RuntimeDep) -> AsyncIterator[AsyncSession]:
    """The session of a response that streams (the CSV export), on one connection taken
    before the response starts and kept until its last byte is sent or the client is gone
    (`scope="request"`). The handler commits what must be committed before the first byte
    (`transaction.commit`); the stream then reads on the same connection. None free in time
    is a clean 503 before the headers (a checkout inside the stream failed after the 200
    had gone: a cut response, found by the overload soak)."""
    async with (
        runtime.engine.connect() as connection,
        AsyncSession(bind=connection, expire_on_commit=False) as session,
    ):
        session.info["ip"] = client_ip(request)
        yield session


async def get_read_session(runtime: RuntimeDep) -> AsyncIterator[AsyncSession]:
    async with runtime.reads() as session:
        yield session


ReadSessionDep = Annotated[AsyncSession, Depends(get_read_session, scope="function")]

StreamSessionDep = Annotated[AsyncSession, Depends(get_stream_session, scope="request")]

TicketId = Annotated[int, Path(ge=1, le=MAX_BIGINT, description="The ticket's id")]


async def load_ticket(ticket_id: TicketId, session: SessionDep, principal: CurrentPrincipal):
    """The ticket in the path if the caller may see it, else 404."""
    return await tickets.get(session, ticket_id=ticket_id, principal=principal)


TicketDep = Annotated[Ticket, Depends(load_ticket)]


async def read_only_ticket(
    ticket_id: TicketId, session: ReadSessionDep, principal: CurrentPrincipal
) -> Ticket:
    """The ticket in the path if the caller may see it, else 404, on the read session: for
    routes that only read (its comments, history, attachments, similar tickets)."""
    return await tickets.get(session, ticket_id=ticket_id, principal=principal)


ReadOnlyTicketDep = Annotated[Ticket, Depends(read_only_ticket)]

# The optional `Idempotency-Key` header of creation, comments and transitions
# (`ticketing.idempotency`), declared once so all three document it alike; the parameter
# must be named `idempotency_key` (FastAPI derives the header's name from it).
IdempotencyKeyHeader = Annotated[
    str | None,
    Header(
        min_length=1,
        max_length=255,
        pattern=r"^[\x21-\x7e]+$",
        description="Retry-safe: the same key and body return the first response, "
        "with no second effect",
    ),
]


async def retryable(
    session: SessionDep,
    principal: CurrentPrincipal,
    response: Response,
    idempotency_key: IdempotencyKeyHeader = None,
) -> idempotency.Retryable:
    """What `Retryable.once` needs of the request, for routes whose work it runs."""
    return idempotency.Retryable(session, principal.id, idempotency_key, response)


RetryableDep = Annotated[idempotency.Retryable, Depends(retryable)]


async def global_admin(principal: CurrentPrincipal) -> Principal:
    """Global admins and superusers only (403 for everyone else)."""
    if not principal.is_admin:
        raise NotAllowed("Administrators only")
    return principal


AdminPrincipal = Annotated[Principal, Depends(global_admin)]
