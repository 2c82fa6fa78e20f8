"""The audit log in three tables (migration 0009):

    audit_log        the entries, written unchained with each change (insert-only)
    audit_unsealed   the entries not chained yet: the sealer's queue
    audit_chain      the hash chain, one link per entry in `seq` order (insert-only)

A writer inserts an entry and its queue row in one statement; the sealer (`sealer.py`)
moves queued entries onto the chain in batches. Triggers refuse UPDATE, DELETE and
TRUNCATE on `audit_log` and `audit_chain`; the queue is the one table rows leave.
"""

from __future__ import annotations

from datetime import datetime
from typing import Any

from sqlalchemy import BigInteger, DateTime, ForeignKey, Identity, Index, String
from sqlalchemy.dialects.postgresql import JSONB
from sqlalchemy.orm import Mapped, mapped_column

from servicedesk_tickets.database import Base


class AuditEntry(Base):
    __tablename__ = "audit_log"
    __table_args__ = (
        Index("ix_audit_log_object", "object_type", "object_id", "id"),
        Index("ix_audit_log_at", "at"),
    )

    id: Mapped[int] = mapped_column(BigInteger, Identity(), primary_key=True)
    at: Mapped[datetime] = mapped_column(DateTime(timezone=True))
    actor_id: Mapped[str | None] = mapped_column(String(64))
    actor_name: Mapped[str | None] = mapped_column(String(150))
    action: Mapped[str] = mapped_column(String(64))
    object_type: Mapped[str] = mapped_column(String(32))
    object_id: Mapped[str | None] = mapped_column(String(64))
    old: Mapped[dict[str, Any] | None] = mapped_column(JSONB)
    new: Mapped[dict[str, Any] | None] = mapped_column(JSONB)
    request_id: Mapped[str | None] = mapped_column(String(128))
    ip: Mapped[str | None] = mapped_column(String(64))


class ChainLink(Base):
    """An entry's place on the chain: `hash = sha256(prev_hash + canonical_json(entry))`
    with `seq` among the hashed fields (`chain.py`)."""

    __tablename__ = "audit_chain"

    seq: Mapped[int] = mapped_column(BigInteger, primary_key=True, autoincrement=False)
    entry_id: Mapped[int] = mapped_column(BigInteger, ForeignKey("audit_log.id"), unique=True)
    prev_hash: Mapped[str] = mapped_column(String(64))
    hash: Mapped[str] = mapped_column(String(64))


class UnsealedEntry(Base):
    """An entry committed but not chained yet."""

    __tablename__ = "audit_unsealed"

    entry_id: Mapped[int] = mapped_column(BigInteger, ForeignKey("audit_log.id"), primary_key=True)
