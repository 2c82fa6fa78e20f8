"""Duplicate candidates by full-text similarity, on the tickets' stored `search` tsvector.

For a ticket with lexemes S (its `search`: title and description, English stemming, stop
words dropped), the candidates are the tickets matching `s1 | s2 | …` — found through the
GIN index `ix_tickets_search` — and each is scored by the Jaccard index of the two lexeme
sets, |S and T| / |S or T|, computed without unnesting: |S and T| = length(T) -
length(ts_delete(T, S)). 1.0 means the same words; shared rare or common words count the
same, so one shared word with a long ticket scores low.

Only the newest `candidates` tickets sharing a word are scored (`TICKETS_DUPLICATE_CANDIDATES`,
1,000): a common word ("printer", "password") is shared by a large part of a busy desk, and
scoring every one of them made each triage cost more the more tickets there were (about
60 ms of PostgreSQL at 20,000 such tickets, on every create). A duplicate is usually filed
soon after its original, among the newest tickets.
"""

from __future__ import annotations

from collections.abc import Sequence
from typing import Any

import asyncpg
from sqlalchemy import (
    BigInteger,
    ColumnElement,
    Float,
    Integer,
    Row,
    Select,
    Text,
    any_,
    bindparam,
    cast,
    func,
    select,
)
from sqlalchemy.dialects.postgresql import ARRAY, TSQUERY
from sqlalchemy.ext.asyncio import AsyncSession

from servicedesk_shared import reads
from servicedesk_tickets.ticketing.models import Ticket


def _quoted(lexeme: str) -> str:
    """A lexeme as a tsquery operand, taken literally (no parsing, no stemming again)."""
    return "'" + lexeme.replace("\\", "\\\\").replace("'", "''") + "'"


def any_of(words: Sequence[str]) -> str:
    """The tsquery text matching a ticket sharing any of `words`: `'w1' | 'w2' | …`."""
    return " | ".join(_quoted(w) for w in words)


async def lexemes(session: AsyncSession, *, ticket_id: int) -> list[str]:
    query = select(func.tsvector_to_array(Ticket.search)).where(Ticket.id == ticket_id)
    return list(await session.scalar(query) or [])


def _most_like(
    *,
    ticket_id: Any,
    query_ts: Any,
    words: Any,
    count: Any,
    visible: ColumnElement[bool],
    candidates: Any,
    min_score: Any,
) -> Select:
    """Rows `(id, title, status, score)` of the `visible` tickets matching `query_ts` (of a
    ticket with `count` lexemes `words`), newest `candidates` of them scored, best first."""
    # Each candidate's sizes are computed where the index scan emits it, below the LIMIT, so
    # ts_delete runs once for each of the newest `candidates` and for no other row; the
    # score is float arithmetic above it. A MATERIALIZED CTE over a subquery that carried
    # `search` up to it, with a numeric division, cost 1.9 ms per call where this costs
    # 1.1 (50,000 tickets sharing a word; docs/performance.md).
    newest = (
        select(
            Ticket.id,
            Ticket.title,
            Ticket.status,
            func.length(Ticket.search).label("size"),
            func.length(func.ts_delete(Ticket.search, words)).label("rest"),
        )
        .where(Ticket.search.op("@@")(query_ts), Ticket.id != ticket_id, visible)
        .order_by(Ticket.id.desc())
        .limit(candidates)
        .subquery("newest")
    )
    n = newest.c
    score = (cast(n.size - n.rest, Float) / cast(count + n.rest, Float)).label("score")
    query = select(n.id, n.title, n.status, score).order_by(score.desc(), n.id.desc())
    return query if min_score is None else query.where(score >= min_score)


async def get_all(
    session: AsyncSession,
    *,
    ticket_id: int,
    visible: ColumnElement[bool],
    limit: int,
    candidates: int,
    min_score: float = 0.0,
) -> list[Row]:
    """Rows `(id, title, status, score)` of the `visible` tickets most like `ticket_id`
    (itself excluded) among the newest `candidates` sharing a word with it, best first,
    ties newest first."""
    words = await lexemes(session, ticket_id=ticket_id)
    if not words or limit < 1:
        return []
    query = _most_like(
        ticket_id=ticket_id,
        query_ts=cast(any_of(words), TSQUERY),
        words=cast(words, ARRAY(Text)),
        count=len(words),
        visible=visible,
        candidates=candidates,
        min_score=min_score if min_score > 0 else None,
    )
    return list((await session.execute(query.limit(limit))).all())


_LIVE = Ticket.deleted_at.is_(None)
# What a triage stores, prepared for the consumer's connection (`reads.transactional`).
_DUPLICATES = reads.Prepared(
    _most_like(
        ticket_id=bindparam("ticket_id", type_=BigInteger),
        query_ts=cast(bindparam("query_ts", type_=Text), TSQUERY),
        words=bindparam("words", type_=ARRAY(Text)),
        count=bindparam("count", type_=Integer),
        visible=_LIVE,
        candidates=bindparam("candidates", type_=Integer),
        min_score=bindparam("min_score", type_=Float),
    ).limit(bindparam("limit", type_=Integer))
)
_EXISTING = reads.Prepared(
    select(Ticket.id).where(Ticket.id == any_(bindparam("ids", type_=ARRAY(BigInteger))), _LIVE)
)


async def possible_duplicates(
    conn: asyncpg.Connection,
    *,
    ticket_id: int,
    words: Sequence[str],
    limit: int,
    min_score: float,
    candidates: int,
    suggested: Sequence[int] = (),
) -> list[int]:
    """What a triage stores: the best matches among the newest `candidates` live tickets
    sharing one of the ticket's `words` (its lexemes), at `min_score` or above, then any
    ids the producer `suggested` that are live tickets, at most `limit`."""
    if limit < 1:
        return []
    found: list[int] = []
    if words:
        rows = await _DUPLICATES.fetch(
            conn,
            ticket_id=ticket_id,
            query_ts=any_of(words),
            words=list(words),
            count=len(words),
            candidates=candidates,
            min_score=min_score,
            limit=limit,
        )
        found = [row["id"] for row in rows]
    extra = [i for i in dict.fromkeys(suggested) if i not in found and i != ticket_id]
    if extra and len(found) < limit:
        existing = {row["id"] for row in await _EXISTING.fetch(conn, ids=extra)}
        found += [i for i in extra if i in existing]
    return found[:limit]
