"""The outbox table every producer has, and the one way to write a row into it.

Each producing service declares its model on its own declarative base:

    class OutboxEvent(OutboxColumns, Base):
        pass

and writes an event in the same transaction as the change it describes, as its payload
model (`servicedesk_shared.events`):

    add_event(session, OutboxEvent, TicketCreated(ticket=body), producer="tickets")

The type comes from the model (`events.EVENTS`) and `data` is the model's one dump, so a
producer cannot write a type and a shape that disagree, nor one the AsyncAPI document does
not describe. The envelope is the contract's (`{id, type, version, occurred_at, producer,
correlation_id, data}`; the correlation id defaults to the request id). The relay
(`servicedesk_shared.messaging.relay`, run in each producer's lifespan) publishes the rows.

A session that wrote a row is marked (`written`; `add_event` does it), and its commit,
whichever code owns it (a request, a consumer, the SLA scheduler), wakes the process's
relays; a rollback of the whole transaction forgets the mark (a SAVEPOINT's does not).
"""

from __future__ import annotations

import uuid
from datetime import UTC, datetime
from typing import Any, TypeVar

from sqlalchemy import DateTime, Index, String, event, text
from sqlalchemy.dialects.postgresql import JSONB
from sqlalchemy.ext.asyncio import AsyncSession
from sqlalchemy.orm import Mapped, Session, declared_attr, mapped_column

from servicedesk_shared.events.payloads import Payload, as_data, event_type
from servicedesk_shared.messaging import relay
from servicedesk_shared.messaging.envelope import new_event

WRITTEN = "outbox_written"

Row = TypeVar("Row", bound="OutboxColumns")


def _now() -> datetime:
    return datetime.now(UTC)


class OutboxColumns:
    """Declarative mixin: the `outbox` table the shared relay reads."""

    __tablename__ = "outbox"

    @declared_attr.directive
    def __table_args__(cls) -> tuple[Index, ...]:
        return (
            Index(
                "ix_outbox_unpublished",
                "occurred_at",
                postgresql_where=text("published_at IS NULL"),
            ),
        )

    id: Mapped[uuid.UUID] = mapped_column(primary_key=True, default=uuid.uuid4)
    type: Mapped[str] = mapped_column(String(64))
    payload: Mapped[dict[str, Any]] = mapped_column(JSONB)
    occurred_at: Mapped[datetime] = mapped_column(DateTime(timezone=True), default=_now)
    published_at: Mapped[datetime | None] = mapped_column(DateTime(timezone=True))


def event_row(
    event: Payload, *, producer: str, version: int = 1, correlation_id: str | None = None
) -> dict[str, Any]:
    """The outbox row of `event` (`id`, `type`, `payload`, `occurred_at`), for `add_event`
    or for a hot path that writes it with a statement of its own (filing a ticket)."""
    event_id, now, type_ = uuid.uuid4(), _now(), event_type(event)
    payload = new_event(
        type_,
        as_data(event),
        producer=producer,
        version=version,
        event_id=event_id,
        occurred_at=now,
        correlation_id=correlation_id,
    )
    return {"id": event_id, "type": type_, "payload": payload, "occurred_at": now}


def add_event(
    session: AsyncSession,
    model: type[Row],
    event: Payload,
    *,
    producer: str,
    version: int = 1,
    correlation_id: str | None = None,
) -> Row:
    """Add the event to the session; it commits (or not) with the caller's transaction."""
    values = event_row(event, producer=producer, version=version, correlation_id=correlation_id)
    row = model(**values)
    session.add(row)
    written(session)
    return row


def written(session: AsyncSession | Session) -> None:
    """Mark `session`'s transaction as one that wrote an outbox row: its commit wakes this
    process's relays. For a hot path that writes the row with a statement of its own."""
    session.info[WRITTEN] = True


@event.listens_for(Session, "after_commit")
def _wake_relays(session: Session) -> None:
    if session.info.pop(WRITTEN, False):
        relay.poke()


@event.listens_for(Session, "after_rollback")
def _forget(session: Session) -> None:
    if not session.in_nested_transaction():  # a SAVEPOINT's rollback keeps the others' rows
        session.info.pop(WRITTEN, None)
