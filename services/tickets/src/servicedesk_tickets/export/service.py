"""CSV export: one query with the list's visibility rule, streamed from a server-side
cursor in chunks, every text cell defused against spreadsheet formula injection.

OWASP's CSV-injection advice: a cell starting with `= + - @`, tab, CR or LF is prefixed
with `'` so spreadsheets show it as text; quoting is RFC 4180 (the csv module, CRLF).
"""

from __future__ import annotations

import csv
import io
from collections.abc import AsyncIterator
from datetime import UTC, datetime

from sqlalchemy import Select, func, literal_column, select
from sqlalchemy.dialects.postgresql import aggregate_order_by
from sqlalchemy.ext.asyncio import AsyncSession, async_sessionmaker

from servicedesk_shared.principal import Principal
from servicedesk_tickets.comments.models import Comment
from servicedesk_tickets.export.schemas import BASE_COLUMNS, ExportParams
from servicedesk_tickets.tickets.models import Ticket
from servicedesk_tickets.tickets.service import filter_conditions

CHUNK_ROWS = 1000
FORMULA_STARTS = frozenset("=+-@\t\r\n")
_ISO_UTC = 'YYYY-MM-DD"T"HH24:MI:SS.US"Z"'


def filename(now: datetime | None = None) -> str:
    moment = (now or datetime.now(UTC)).astimezone(UTC)
    return f"tickets-{moment:%Y%m%dT%H%M%SZ}.csv"


def _public_comments():
    """All public comments of the row's ticket as one text, oldest first."""
    text = Comment.author_name + ": " + Comment.body
    joined = func.string_agg(text, aggregate_order_by(literal_column("E'\\n\\n'"), Comment.id))
    query = select(joined).where(Comment.ticket_id == Ticket.id, Comment.internal.is_(False))
    return query.scalar_subquery()


def _column(name: str):
    if name in ("created_at", "updated_at"):
        return func.to_char(func.timezone("UTC", getattr(Ticket, name)), _ISO_UTC).label(name)
    if name == "comments":
        return _public_comments().label(name)
    return getattr(Ticket, name)


def build_query(params: ExportParams, principal: Principal) -> tuple[list[str], Select]:
    """The header and the query: visible tickets, filtered, newest first."""
    header = [*BASE_COLUMNS, *params.extra_columns]
    query = select(*(_column(name) for name in header)).where(*filter_conditions(params, principal))
    return header, query.order_by(Ticket.created_at.desc(), Ticket.id.desc())


def defuse(row) -> list:
    return [("'" + v) if v.__class__ is str and v[:1] in FORMULA_STARTS else v for v in row]


async def csv_chunks(
    sessions: async_sessionmaker[AsyncSession], header: list[str], query: Select
) -> AsyncIterator[str]:
    """The CSV text, a chunk of rows at a time, read through a server-side cursor."""
    buffer = io.StringIO()
    writer = csv.writer(buffer)
    writer.writerow(header)
    async with sessions() as session:
        result = await session.stream(query.execution_options(yield_per=CHUNK_ROWS))
        try:
            async for rows in result.partitions():
                writer.writerows(map(defuse, rows))
                yield buffer.getvalue()
                buffer.seek(0)
                buffer.truncate()
        finally:
            await result.close()
    if buffer.tell():
        yield buffer.getvalue()
