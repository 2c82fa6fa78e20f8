"""CSV export: one query with the list's visibility rule, streamed from a server-side
cursor in chunks, every text cell defused against spreadsheet formula injection.

OWASP's CSV-injection advice (https://owasp.org/www-community/attacks/CSV_Injection): a
cell starting with `= + - @`, tab, CR or LF, after any spaces or quotes, is prefixed with
`'` so spreadsheets show it as text. A spreadsheet that splits on `;` (semicolon locales)
or cuts at a line break would start a new cell inside ours, so the same check runs after
every `;`, `,`, CR and LF inside a cell, and the `'` goes right after that character.
Quoting is RFC 4180 with CRLF, plus: a cell holding `;` is quoted as well as `,`, `"`, CR, LF.
"""

from __future__ import annotations

import re
from collections.abc import AsyncIterator
from datetime import UTC, datetime

from sqlalchemy import Select, func, literal_column, select
from sqlalchemy.dialects.postgresql import aggregate_order_by
from sqlalchemy.ext.asyncio import AsyncSession
from sqlalchemy.orm import aliased

from servicedesk_shared.principal import Principal
from servicedesk_tickets.comments.models import Comment
from servicedesk_tickets.export.schemas import BASE_COLUMNS, ExportParams
from servicedesk_tickets.people.models import Person
from servicedesk_tickets.ticketing.models import Ticket
from servicedesk_tickets.ticketing.service import filter_conditions

CHUNK_ROWS = 1000
NAME_COLUMNS = {"requester_name": "requester_id", "assignee_name": "assignee_id"}
# A formula start (`= + - @` or tab, after spaces/quotes) at the cell's start or after a
# separator or line break, or a cell starting with a line break; `'` goes at the group's end.
_FORMULA = re.compile(r'(^|[;,\r\n])(?=[ "]*[=+\-@\t])|^(?=[\r\n])')
_NEEDS_QUOTES = re.compile(r'[,;"\r\n]')
_LEADS = frozenset('=+-@\t\r\n "')  # what a formula may start with, after spaces or quotes
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


def _people() -> dict[str, type[Person]]:
    """One alias of the directory per name column (joined, not a subquery per row: a
    correlated subquery per row made the planner's estimate big enough to JIT-compile)."""
    return {name: aliased(Person, name=f"{name}_person") for name in NAME_COLUMNS}


def _column(name: str, people: dict[str, type[Person]]):
    """A name column is the display name (else username) from the directory; empty for
    someone it does not know (the id column is beside it)."""
    if name in people:
        person = people[name]
        return func.coalesce(person.display_name, person.username).label(name)
    if name in ("created_at", "updated_at"):
        return func.to_char(func.timezone("UTC", getattr(Ticket, name)), _ISO_UTC).label(name)
    if name == "comments":
        return _public_comments().label(name)
    return getattr(Ticket, name)


def build_query(params: ExportParams, principal: Principal) -> tuple[list[str], Select]:
    """The header and the query: visible tickets, filtered, newest first."""
    header = [*BASE_COLUMNS, *params.extra_columns]
    people = _people()
    query = select(*(_column(name, people) for name in header)).select_from(Ticket)
    for name, person in people.items():
        query = query.outerjoin(person, person.user_id == getattr(Ticket, NAME_COLUMNS[name]))
    query = query.where(*filter_conditions(params, principal))
    return header, query.order_by(Ticket.created_at.desc(), Ticket.id.desc())


def defuse(row) -> list:
    """Every text cell with a `'` before each formula start (see the module docstring)."""
    return [_FORMULA.sub(r"\1'", v) if v.__class__ is str else v for v in row]


def _plain(text: str) -> bool:
    """Nothing to defuse or quote: neither a formula start nor a separator, quote or line
    break anywhere (substring tests in C; most cells take this path)."""
    return (
        text[:1] not in _LEADS
        and ";" not in text
        and "," not in text
        and '"' not in text
        and "\n" not in text
        and "\r" not in text
    )


def _cell(value) -> str:
    """One cell, defused and quoted; most cells hold none of the characters that matter."""
    if value.__class__ is not str:
        return "" if value is None else str(value)
    if _plain(value):
        return value
    text = _FORMULA.sub(r"\1'", value)
    if _NEEDS_QUOTES.search(text):
        return '"' + text.replace('"', '""') + '"'
    return text


def csv_line(row) -> str:
    """One CSV record, CRLF-terminated, cells defused and quoted."""
    return ",".join(map(_cell, row)) + "\r\n"


async def csv_chunks(session: AsyncSession, header: list[str], query: Select) -> AsyncIterator[str]:
    """The CSV text, a chunk of rows at a time, read through a server-side cursor in
    `session` (its owner closes it)."""
    yield csv_line(header)
    result = await session.stream(query.execution_options(yield_per=CHUNK_ROWS))
    try:
        async for rows in result.partitions():
            yield "".join(map(csv_line, rows))
    finally:
        await result.close()
