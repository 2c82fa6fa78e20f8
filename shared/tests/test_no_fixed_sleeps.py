"""Tests wait for a condition (`servicedesk_devtools.testing.eventually`, an event, a
future), never for a fixed while: a sleep "long enough" for something to happen is slow
on a fast machine and flaky on a slow one, and a sleep as a "nothing more will arrive"
window passes whether or not something did. "Nothing more" is shown by waiting until
every delivery is acked (`testing.acked`), or until the producer and the queue are both
drained.

So no file under a testpath of pyproject.toml (and tools/*/tests) calls `time.sleep`,
`asyncio.sleep`, `anyio.sleep` or `trio.sleep`, however imported, except where the sleep
IS the behaviour: each such function is in ALLOWED with its reason. An entry nothing
needs any more fails too, so the list stays short.
"""

from __future__ import annotations

import ast
import tomllib
from pathlib import Path

import pytest

ROOT = Path(__file__).resolve().parents[2]
MODULES = {"time", "asyncio", "anyio", "trio"}
STAND_IN = "a stand-in server's simulated delay"
FAULTS = "the fault suite's own (tests/faults, not edited here)"
REFRESH = f"{STAND_IN}: a model call takes 20 ms, so calls overlap (owned by refresh change)"
PROMETHEUS = "test_prometheus_scrapes_the_stack_and_the_dashboard_shows_data"

# (file, the function the sleep is in) -> why the wait is the thing under test.
ALLOWED: dict[tuple[str, str], str] = {
    ("gateway/tests/upstream.py", "_stream"): f"{STAND_IN}: body chunks 50 ms apart",
    ("gateway/tests/upstream.py", "echo"): f"{STAND_IN}: /sleep answers after 1.5 s",
    ("tests/ollama_standin.py", "chat"): f"{STAND_IN}: the model's latency and `delay` mode",
    ("tests/ollama_standin.py", "_stream"): f"{STAND_IN}: the `stall` mode hangs mid-stream",
    ("services/auth/tests/test_passwords.py", "ticker"): (
        "1 ms ticks measure that the event loop runs while argon2 hashes"
    ),
    ("tools/refresh/tests/test_refresher.py", "handler"): REFRESH,
    ("tests/deploy/test_prometheus_e2e.py", PROMETHEUS): (
        "rates need two scrapes seconds apart (owned by the deploy change)"
    ),
    ("tests/faults/test_faults.py", "fault"): f"{FAULTS}: the broker outage lasts 20 s",
    ("tests/faults/load.py", "_worker"): f"{FAULTS}: the load generator's pacing",
    ("tests/faults/load.py", "_send"): f"{FAULTS}: a client's retry backoff",
    ("tests/faults/servers.py", "wait_port"): f"{FAULTS}: a port poll",
    ("tests/faults/servers.py", "_await_node"): f"{FAULTS}: a rabbitmqctl poll",
}


def files_under_testpaths() -> list[Path]:
    """Every .py file of every testpath (`services` holds `services/*/tests`)."""
    pyproject = tomllib.loads((ROOT / "pyproject.toml").read_text())
    roots = [ROOT / p for p in pyproject["tool"]["pytest"]["ini_options"]["testpaths"]]
    dirs: set[Path] = set()
    for root in [*roots, ROOT / "tools"]:
        dirs |= {root} if root.name == "tests" else set(root.glob("*/tests"))
    return sorted({f for d in dirs for f in d.rglob("*.py")})


def sleeps(source: str) -> list[tuple[str, int]]:
    """(enclosing function, line) of every sleep call in `source`."""
    tree = ast.parse(source)
    modules, names = set(), set()  # `import asyncio as aio`; `from time import sleep as nap`
    for node in ast.walk(tree):
        if isinstance(node, ast.Import):
            modules |= {a.asname or a.name for a in node.names if a.name in MODULES}
        elif isinstance(node, ast.ImportFrom) and node.module in MODULES:
            names |= {a.asname or a.name for a in node.names if a.name == "sleep"}
    found: list[tuple[str, int]] = []

    def visit(node: ast.AST, function: str) -> None:
        if isinstance(node, ast.FunctionDef | ast.AsyncFunctionDef):
            function = node.name
        if isinstance(node, ast.Call) and _is_sleep(node.func, modules, names):
            found.append((function, node.lineno))
        for child in ast.iter_child_nodes(node):
            visit(child, function)

    visit(tree, "<module>")
    return found


def _is_sleep(func: ast.expr, modules: set[str], names: set[str]) -> bool:
    if isinstance(func, ast.Name):
        return func.id in names
    return (
        isinstance(func, ast.Attribute)
        and func.attr == "sleep"
        and isinstance(func.value, ast.Name)
        and func.value.id in modules
    )


def found_sleeps() -> dict[tuple[str, str], list[int]]:
    found: dict[tuple[str, str], list[int]] = {}
    for path in files_under_testpaths():
        for function, line in sleeps(path.read_text()):
            key = (path.relative_to(ROOT).as_posix(), function)
            found.setdefault(key, []).append(line)
    return found


def test_no_test_waits_on_a_fixed_sleep() -> None:
    unexpected = [
        f"{file}:{lines} in {function}()"
        for (file, function), lines in found_sleeps().items()
        if (file, function) not in ALLOWED
    ]
    assert not unexpected, f"wait for a condition (testing.eventually) instead: {unexpected}"


def test_every_allowed_sleep_is_still_there() -> None:
    stale = sorted(set(ALLOWED) - set(found_sleeps()))
    assert not stale, f"no sleep there any more: drop these from ALLOWED: {stale}"


def test_the_walk_covers_every_testpath() -> None:
    files = {p.relative_to(ROOT).parts[:2] for p in files_under_testpaths()}
    assert Path(__file__).resolve() in files_under_testpaths()
    wanted = [
        ("gateway", "tests"),
        ("services", "tickets"),
        ("tests", "faults"),
        ("tools", "refresh"),
        ("devtools", "tests"),
    ]
    assert set(wanted) <= files


@pytest.mark.parametrize(
    ("source", "expected"),
    [
        ("import time\ntime.sleep(1)", [("<module>", 2)]),
        ("import asyncio as aio\nasync def f():\n    await aio.sleep(0)", [("f", 3)]),
        ("from anyio import sleep as nap\nasync def g():\n    await nap(1)", [("g", 3)]),
        ("import trio\ndef h():\n    def inner():\n        trio.sleep(1)", [("inner", 4)]),
        ("clock.sleep(1)\nconn.execute('SELECT pg_sleep(1)')", []),  # not a real wait
        ("from asyncio import Event\nasync def f():\n    await Event().wait()", []),
    ],
)
def test_every_spelling_of_a_sleep_is_found(source: str, expected: list) -> None:
    assert sleeps(source) == expected
