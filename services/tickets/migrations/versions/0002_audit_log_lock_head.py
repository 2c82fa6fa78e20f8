"""audit_log_lock_head(): take the append lock and read the chain's head in one round trip

Revision ID: 0002
Revises: 0001
Create Date: 2026-11-23 12:15:00
"""

from collections.abc import Sequence

from alembic import op

revision: str = "0002"
down_revision: str | None = "0001"
branch_labels: str | Sequence[str] | None = None
depends_on: str | Sequence[str] | None = None

# VOLATILE plpgsql: under READ COMMITTED the SELECT takes a fresh snapshot *after* the lock
# is granted, so it sees the head the previous holder committed (one SQL statement with
# both would read with a snapshot taken before waiting, and fork the chain).
LOCK_HEAD = """
CREATE FUNCTION audit_log_lock_head(lock_key bigint, OUT head_seq bigint, OUT head_hash text)
LANGUAGE plpgsql VOLATILE AS $$
BEGIN
    PERFORM pg_advisory_xact_lock(lock_key);
    SELECT a.seq, a.hash INTO head_seq, head_hash FROM audit_log a ORDER BY a.seq DESC LIMIT 1;
END $$
"""


def upgrade() -> None:
    op.execute(LOCK_HEAD)


def downgrade() -> None:
    op.execute("DROP FUNCTION audit_log_lock_head(bigint)")
