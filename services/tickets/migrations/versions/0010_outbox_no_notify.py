"""outbox: no NOTIFY trigger; the relay is woken in-process after a commit that wrote one

Revision ID: 0010
Revises: 0009

A transaction that sends a NOTIFY takes one lock for the whole PostgreSQL cluster at its
commit and holds it through its WAL flush: every write with an event committed one at a
time, across services and replicas. The relay now wakes on its own process's commits
(servicedesk_shared.messaging.outbox) and polls as a fallback (docs/events.md).
"""

from collections.abc import Sequence

from alembic import op

from servicedesk_shared.messaging.relay import drop_notify_trigger_sql, notify_trigger_sql

revision: str = "0010"
down_revision: str | None = "0009"
branch_labels: str | Sequence[str] | None = None
depends_on: str | Sequence[str] | None = None


def upgrade() -> None:
    for statement in drop_notify_trigger_sql("outbox"):
        op.execute(statement)


def downgrade() -> None:
    for statement in notify_trigger_sql("outbox"):
        op.execute(statement)
