"""sla: policies per system, `pauses_sla` on workflow states, derived clocks, due-time index

Revision ID: 0007
Revises: 0006

Every existing system gets the default policy (contract §13: Monday-Friday 09:00-17:00
UTC). A state named `waiting` pauses the clocks, as in the default workflow. Tickets filed
before this revision get their clocks on their next change, or from the one-off
`python -m servicedesk_tickets.sla.backfill` (`ticket_sla` and `sla_deadlines` start
empty); their payloads derive the clocks from history meanwhile.
"""

import json
from collections.abc import Sequence

import sqlalchemy as sa
from alembic import op
from sqlalchemy.dialects import postgresql

revision: str = "0007"
down_revision: str | None = "0006"
branch_labels: str | Sequence[str] | None = None
depends_on: str | Sequence[str] | None = None

CALENDAR = {"timezone": "UTC", "working_days": [1, 2, 3, 4, 5], "start": "09:00",
            "end": "17:00", "holidays": []}
TARGETS = {p: {"first_response_minutes": f, "resolution_minutes": r}
           for p, f, r in (("urgent", 30, 240), ("high", 120, 480), ("medium", 480, 1440),
                           ("low", 1440, 2400))}
STAMP = sa.DateTime(timezone=True)


def _clock_columns(target: str) -> list[sa.Column]:
    return [
        sa.Column(f"{target}_due_at", STAMP, nullable=True),
        sa.Column(f"{target}_warn_at", STAMP, nullable=True),
        sa.Column(f"{target}_met_at", STAMP, nullable=True),
        sa.Column(f"{target}_remaining", sa.Integer(), nullable=True),
    ]


def upgrade() -> None:
    op.add_column("workflow_states", sa.Column("pauses_sla", sa.Boolean(),
                  server_default=sa.false(), nullable=False))
    op.execute("UPDATE workflow_states SET pauses_sla = true WHERE name = 'waiting'")
    op.create_table(
        "sla_policies",
        sa.Column("system", sa.String(length=64), nullable=False),
        sa.Column("calendar", postgresql.JSONB(), nullable=False),
        sa.Column("targets", postgresql.JSONB(), nullable=False),
        sa.Column("updated_at", STAMP, nullable=False),
        sa.Column("updated_by", sa.String(length=64), nullable=True),
        sa.ForeignKeyConstraint(
            ["system"],
            ["systems.code"],
            ondelete="CASCADE",
            name=op.f("fk_sla_policies_system_systems"),
        ),
        sa.PrimaryKeyConstraint("system", name=op.f("pk_sla_policies")),
    )
    op.execute(
        sa.text(
            "INSERT INTO sla_policies (system, calendar, targets, updated_at) "
            "SELECT code, CAST(:calendar AS jsonb), CAST(:targets AS jsonb), now() FROM systems"
        ).bindparams(calendar=json.dumps(CALENDAR), targets=json.dumps(TARGETS))
    )
    op.create_table(
        "ticket_sla",
        sa.Column("ticket_id", sa.BigInteger(), nullable=False),
        *_clock_columns("first_response"),
        *_clock_columns("resolution"),
        sa.Column("paused", sa.Boolean(), nullable=False),
        sa.Column("next_due_at", STAMP, nullable=True),
        sa.ForeignKeyConstraint(
            ["ticket_id"],
            ["tickets.id"],
            ondelete="CASCADE",
            name=op.f("fk_ticket_sla_ticket_id_tickets"),
        ),
        sa.PrimaryKeyConstraint("ticket_id", name=op.f("pk_ticket_sla")),
    )
    op.create_index("ix_ticket_sla_next_due", "ticket_sla", ["next_due_at"])
    op.create_table(
        "sla_deadlines",
        sa.Column("ticket_id", sa.BigInteger(), nullable=False),
        sa.Column("target", sa.String(length=16), nullable=False),
        sa.Column("kind", sa.String(length=8), nullable=False),
        sa.Column("due_at", STAMP, nullable=False),
        sa.Column("emitted_at", STAMP, nullable=True),
        sa.ForeignKeyConstraint(
            ["ticket_id"],
            ["tickets.id"],
            ondelete="CASCADE",
            name=op.f("fk_sla_deadlines_ticket_id_tickets"),
        ),
        sa.PrimaryKeyConstraint("ticket_id", "target", "kind", name=op.f("pk_sla_deadlines")),
    )
    op.create_index("ix_sla_deadlines_due", "sla_deadlines", ["due_at"],
                    postgresql_where=sa.text("emitted_at IS NULL"))


def downgrade() -> None:
    op.drop_table("sla_deadlines")
    op.drop_table("ticket_sla")
    op.drop_table("sla_policies")
    op.drop_column("workflow_states", "pauses_sla")
