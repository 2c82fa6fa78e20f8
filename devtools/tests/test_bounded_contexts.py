"""Each context's tables are its own: no code reads or writes another context's tables with
SQL. An import rule cannot see this (a raw `SELECT … FROM tickets` in a script imports
nothing), so the test reads every SQL-looking string literal of the runtime code, the
scripts and the tools, and names each table it touches that belongs to another context.

The owners are what each service's models declare (`load_models()`), plus the tables its
migrations create outside the models (none today). Table names two services both own
(`outbox`, `inbox`, `alembic_version`) belong to each of them.
"""

from __future__ import annotations

import ast
import importlib
import re
from pathlib import Path

import pytest

ROOT = Path(__file__).resolve().parents[2]
SERVICES = {
    "auth": "servicedesk_auth",
    "tickets": "servicedesk_tickets",
    "notifications": "servicedesk_notifications",
    "ai-assist": "servicedesk_ai_assist",
}
NAME = r'"?([a-z_][a-z0-9_]*)"?'
STATEMENTS = [
    re.compile(rf"\bselect\b[\s\S]*?\bfrom\s+{NAME}", re.IGNORECASE),
    re.compile(rf"\bselect\b[\s\S]*?\bjoin\s+{NAME}", re.IGNORECASE),
    re.compile(rf"\binsert\s+into\s+{NAME}", re.IGNORECASE),
    re.compile(rf"\bupdate\s+{NAME}\s+set\b", re.IGNORECASE),
    re.compile(rf"\bdelete\s+from\s+{NAME}", re.IGNORECASE),
    re.compile(rf"\b(?:truncate|alter)\s+table\s+{NAME}", re.IGNORECASE),
]


def owned_tables() -> dict[str, set[str]]:
    owners: dict[str, set[str]] = {}
    for service, package in SERVICES.items():
        metadata = importlib.import_module(f"{package}.database").load_models()
        owners[service] = {*metadata.tables, "alembic_version"}
    return owners


def sql_tables(source: str) -> set[str]:
    """The tables named by the SQL statements in a module's string literals (docstrings,
    which are prose, left out)."""
    tree = ast.parse(source)
    docstrings = {
        id(node.body[0].value)
        for node in ast.walk(tree)
        if isinstance(node, ast.Module | ast.ClassDef | ast.FunctionDef | ast.AsyncFunctionDef)
        and node.body
        and isinstance(node.body[0], ast.Expr)
    }
    literals = [
        node.value
        for node in ast.walk(tree)
        if isinstance(node, ast.Constant)
        and isinstance(node.value, str)
        and id(node) not in docstrings
    ]
    return {
        name.lower()
        for text in literals
        for pattern in STATEMENTS
        for name in pattern.findall(text)
    }


def code_of(context: str | None) -> list[Path]:
    """A service's runtime code, or (None) the code that belongs to no context."""
    if context is not None:
        return sorted((ROOT / "services" / context / "src").rglob("*.py"))
    roots = [ROOT / "scripts", *ROOT.glob("tools/*/src")]
    return sorted(f for root in roots for f in root.rglob("*.py"))


def foreign_sql(context: str | None, owners: dict[str, set[str]]) -> list[str]:
    own = owners.get(context or "", set())
    every = set().union(*owners.values())
    problems = []
    for path in code_of(context):
        for table in sorted(sql_tables(path.read_text()) & (every - own)):
            others = sorted(s for s, tables in owners.items() if table in tables)
            problems.append(f"{path.relative_to(ROOT)}: {table} (owned by {', '.join(others)})")
    return problems


@pytest.mark.parametrize("context", [*SERVICES, None], ids=[*SERVICES, "scripts-and-tools"])
def test_no_sql_over_another_contexts_tables(context: str | None) -> None:
    assert foreign_sql(context, owned_tables()) == []


def test_the_check_sees_a_raw_query_on_another_context() -> None:
    """The detector itself: the query the old refresh script ran is found, by table."""
    old_refresh = 'rows = await conn.fetch("SELECT t.id, t.title FROM tickets t WHERE t.id > $1")'
    assert sql_tables(old_refresh) == {"tickets"}
    assert sql_tables('q = "UPDATE people SET email = $1"; r = "DELETE FROM inbox"') == {
        "people",
        "inbox",
    }
    assert sql_tables('"""Read from tickets\' API, then update the cache."""') == set()
    owners = owned_tables()
    assert "tickets" in owners["tickets"] and "tickets" not in owners["ai-assist"]
    assert "users" in owners["auth"] and "users" not in owners["notifications"]


def test_every_context_owns_tables() -> None:
    owners = owned_tables()
    assert all(len(tables) > 1 for tables in owners.values()), owners
    assert code_of(None), "scripts/ and tools/ hold code to check"
    # The detector reads the real code: notifications' own raw SQL on its own tables.
    seen = set().union(*(sql_tables(path.read_text()) for path in code_of("notifications")))
    assert {"webhooks", "webhook_deliveries"} <= seen <= owners["notifications"]
