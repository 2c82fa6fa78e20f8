"""The shared request transaction and its three hooks, on a stand-in session that records
what happened to it (the hooks touch nothing but `session.info` and `commit`)."""

from __future__ import annotations

import logging
from contextlib import asynccontextmanager

import pytest

from servicedesk_shared.errors import Conflict, NotFound
from servicedesk_shared.transaction import (
    after_commit,
    before_commit,
    commit,
    on_rollback,
    request_transaction,
)


class Session:
    def __init__(self, *, fail_commit: bool = False) -> None:
        self.info: dict = {}
        self.log: list[str] = []
        self.fail_commit = fail_commit

    async def commit(self) -> None:
        if self.fail_commit:
            raise RuntimeError("commit failed")
        self.log.append("commit")


def factory_of(session: Session):
    @asynccontextmanager
    async def factory():
        yield session

    return factory


def hooks(session: Session) -> None:
    async def before() -> None:
        session.log.append("before")

    async def after_async() -> None:
        session.log.append("after async")

    before_commit(session, before)
    after_commit(session, lambda: session.log.append("after"))
    after_commit(session, after_async)
    on_rollback(session, lambda: session.log.append("rollback"))


async def request(session: Session, error: Exception | None = None) -> None:
    """One request: the hooks registered, then `error` raised if given."""
    async with request_transaction(factory_of(session)) as s:
        hooks(s)
        if error is not None:
            raise error


async def test_a_commit_runs_before_hooks_then_commits_then_after_hooks_never_rollback() -> None:
    session = Session()
    hooks(session)
    await commit(session)
    assert session.log == ["before", "commit", "after", "after async"]
    assert session.info == {}


async def test_an_error_rolls_back_and_runs_only_the_rollback_hooks() -> None:
    session = Session()
    with pytest.raises(NotFound):
        await request(session, NotFound())
    assert session.log == ["rollback"]


async def test_an_error_that_keeps_changes_commits_before_it_answers() -> None:
    class Counted(Conflict):
        keep_changes = True

    session = Session()
    with pytest.raises(Counted):
        await request(session, Counted())
    assert session.log == ["before", "commit", "after", "after async"]


async def test_a_failed_commit_runs_the_rollback_hooks_and_no_after_hook() -> None:
    session = Session(fail_commit=True)
    with pytest.raises(RuntimeError, match="commit failed"):
        await request(session)
    assert session.log == ["before", "rollback"]


async def test_a_failing_after_hook_is_logged_and_the_others_still_run(caplog) -> None:
    session = Session()

    def broken() -> None:
        raise ConnectionError("redis down")

    after_commit(session, broken)
    after_commit(session, lambda: session.log.append("after"))
    with caplog.at_level(logging.ERROR, logger="servicedesk_shared.transaction"):
        await commit(session)
    assert session.log == ["commit", "after"]
    assert "after_commit hook failed" in caplog.text
